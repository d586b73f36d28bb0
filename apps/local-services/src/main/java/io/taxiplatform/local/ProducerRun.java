package io.taxiplatform.local;

import java.util.Optional;

/** The producer as {@link LocalPipeline} drives it: running in this JVM, on its own thread. */
interface ProducerRun extends AutoCloseable {

    /** What runs (mode, rate, input). */
    String description();

    /** Whether the run ended (finite replay or max events reached, or failed). */
    boolean isFinished();

    /** Why the run failed, if it did. */
    Optional<String> failure();

    /** The producer's own summary (sent, rejected by reason, rate). */
    String summary();

    /** Stops the run and closes the Kafka producer (flushing what was sent). */
    @Override
    void close();

    static ProducerRun start(LocalPipelineConfig config, String bootstrapServers, String topic) {
        throw new IllegalStateException("the producer's programmatic API is not wired yet");
    }
}
