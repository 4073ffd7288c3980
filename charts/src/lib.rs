//! Benchmark charts: one drawing function per chart, generic over the plotters backend.
