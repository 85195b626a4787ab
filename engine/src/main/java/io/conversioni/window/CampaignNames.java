package io.conversioni.window;

/**
 * The reader's side of the {@link CampaignDictionary}: names of campaign ids and how full it is. Any thread;
 * {@link #name} allocates a String.
 */
public interface CampaignNames {
    /** Ids it can hand out, reserved ones included. */
    int capacity();

    /** Number of ids handed out, reserved ones included. */
    int sizeAcquire();

    /** Lookups that found the dictionary full and went to {@link CampaignDictionary#OTHER_ID}. */
    long overflowCountAcquire();

    /** The name of an id below {@link #sizeAcquire()}. */
    String name(int id);
}
