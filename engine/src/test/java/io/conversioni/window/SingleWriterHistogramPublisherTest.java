package io.conversioni.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SingleWriterHistogramPublisherTest {
    private static final long HIGHEST = 86_400_000L;

    @Test
    void directCountsPublishExactlyWhatRecordingEveryValueWouldHave() {
        final SingleWriterHistogramPublisher publisher = new SingleWriterHistogramPublisher(HIGHEST, 2, 1024);
        final Histogram reference = new Histogram(1, HIGHEST, 2);
        final Histogram seen = publisher.newHistogram();
        final SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 40; round++) {
            final int values = random.nextInt(5_000);
            for (int i = 0; i < values; i++) {
                final long value;
                switch (random.nextInt(6)) {
                    case 0: value = -random.nextInt(100); break;               // a lead: counted as 0
                    case 1: value = 1_000 + random.nextInt(48); break;         // both sides of the direct limit
                    case 2: value = random.nextLong(HIGHEST); break;
                    case 3: value = HIGHEST + random.nextInt(1_000); break;    // clamped to the highest
                    default: value = random.nextInt(1_024); break;
                }
                publisher.record(value);
                reference.recordValue(value < 0 ? 0 : Math.min(value, HIGHEST));
            }
            publisher.publish();
            publisher.copyInto(seen);
            assertEquals(reference, seen, "after round " + round);
            assertEquals(reference.getMinValue(), seen.getMinValue());
            assertEquals(reference.getMaxValue(), seen.getMaxValue());
            assertEquals(reference.getValueAtPercentile(99), seen.getValueAtPercentile(99));
        }
    }

    @Test
    void valuesRecordedAfterAPublishStayInvisibleUntilTheNext() {
        final SingleWriterHistogramPublisher publisher = new SingleWriterHistogramPublisher(HIGHEST, 2, 1024);
        final Histogram seen = publisher.newHistogram();
        publisher.record(5);
        publisher.record(5);
        publisher.publish();
        publisher.record(7);
        publisher.copyInto(seen);
        assertEquals(2, seen.getTotalCount());
        assertEquals(2, seen.getCountAtValue(5));
        publisher.publish();
        publisher.copyInto(seen);
        assertEquals(3, seen.getTotalCount());
        assertEquals(1, seen.getCountAtValue(7));
    }

    @Test
    void aDirectRangeWiderThanTheHistogramIsCappedAndANegativeOneRefused() {
        final SingleWriterHistogramPublisher small = new SingleWriterHistogramPublisher(100, 2, 1024);
        final Histogram seen = small.newHistogram();
        small.record(500);
        small.record(100);
        small.publish();
        small.copyInto(seen);
        assertEquals(2, seen.getCountAtValue(100));
        assertThrows(IllegalArgumentException.class, () -> new SingleWriterHistogramPublisher(100, 2, -1));
    }

    @Test
    void aValueRecordedWithACountPublishesWhatRecordingItThatManyTimesWould() {
        final SingleWriterHistogramPublisher publisher = new SingleWriterHistogramPublisher(HIGHEST, 3, 1024);
        final Histogram reference = new Histogram(1, HIGHEST, 3);
        final Histogram seen = publisher.newHistogram();
        final SplittableRandom random = new SplittableRandom(26);
        for (int i = 0; i < 2_000; i++) {
            final long value = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(1_024);                   // direct counts
                case 1 -> -random.nextInt(10);                     // counted as 0
                case 2 -> HIGHEST + random.nextInt(10);            // clamped
                default -> random.nextLong(HIGHEST);
            };
            final int count = 1 + random.nextInt(500);
            publisher.record(value, count);
            for (int n = 0; n < count; n++) {
                reference.recordValue(value < 0 ? 0 : Math.min(value, HIGHEST));
            }
        }
        publisher.publish();
        publisher.copyInto(seen);
        assertEquals(reference, seen);
        assertEquals(reference.getTotalCount(), seen.getTotalCount());
        assertEquals(reference.getMinValue(), seen.getMinValue());
        assertEquals(reference.getMaxValue(), seen.getMaxValue());
    }
}
