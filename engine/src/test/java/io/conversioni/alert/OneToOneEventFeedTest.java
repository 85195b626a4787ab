package io.conversioni.alert;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OneToOneEventFeedTest {
    @Test
    void shouldCountWhatAFullFeedDropsInsteadOfBlockingTheProducer() {
        final OneToOneEventFeed feed = new OneToOneEventFeed(1024);
        for (int i = 0; i < 100; i++) {
            feed.onHeartbeat(i); // 16 bytes each with the record header: about 64 fit in 1 KiB
        }
        final long dropped = feed.dropped();
        org.junit.jupiter.api.Assertions.assertTrue(dropped >= 36 && dropped < 100, "dropped " + dropped);
        final List<Long> seen = new ArrayList<>();
        final OneToOneEventFeed.Consumer consumer = new OneToOneEventFeed.Consumer() {
            @Override
            public void onEvent(final FeedRecord record) {
                throw new AssertionError("no events were offered");
            }

            @Override
            public void onHeartbeat(final long receiveMillis) {
                seen.add(receiveMillis);
            }
        };
        assertEquals(100 - dropped, feed.poll(consumer, 1000));
        assertEquals(List.copyOf(seen), seen.stream().sorted().toList(), "in order");
        assertEquals(0L, seen.get(0));
        feed.onHeartbeat(500);
        assertEquals(1, feed.poll(consumer, 1000), "space is reusable once read");
    }

    @Test
    void shouldRefuseACapacityThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new OneToOneEventFeed(3000));
    }
}
