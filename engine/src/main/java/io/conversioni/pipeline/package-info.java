/**
 * The Disruptor ring and its stages (decode + validate → journal → dedupe + window → respond), wired in
 * one place, and the {@link io.conversioni.pipeline.Engine} facade a user embeds.
 */
package io.conversioni.pipeline;
