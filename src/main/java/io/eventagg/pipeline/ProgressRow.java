package io.eventagg.pipeline;

/** How far event time has progressed: results are complete for buckets ending at or before it. */
public record ProgressRow(long watermark) {}
