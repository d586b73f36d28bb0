package io.taxiplatform.model;

/**
 * The outcome of {@link TripEventJson#parse}: either a valid {@link TripEvent} or a {@link
 * Rejection}.
 *
 * <pre>{@code
 * ParseResult r = TripEventJson.parse(value, now, skew);
 * if (r instanceof TripEvent e) { ... } else if (r instanceof Rejection x) { x.reason().wireName() ... }
 * }</pre>
 */
public sealed interface ParseResult permits TripEvent, Rejection {}
