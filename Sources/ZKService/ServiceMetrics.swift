// Prometheus metrics of the prover service (swift-prometheus).

import Foundation
import Prometheus

/// The service's metrics: jobs by state and the queue depth (read from the store when scraped), the worker count,
/// and how long proving and setup took (histograms filled by the job runner).
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let jobsByState: [JobState: Gauge]
    let queueDepth: Gauge
    let workers: Gauge
    /// Seconds per inference job's proof (witness, proof and claim; without queueing).
    let proveSeconds: DurationHistogram
    /// Seconds per model job (compile and setup).
    let setupSeconds: DurationHistogram

    public init(workers count: Int) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "zkinfer", metricName: metric, unitName: unit, helpText: help)
        }
        jobsByState = Dictionary(uniqueKeysWithValues: JobState.allCases.map {
            ($0, registry.makeGauge(descriptor: name("jobs", "", "Jobs by state."), labels: [("state", $0.rawValue)]))
        })
        queueDepth = registry.makeGauge(descriptor: name("queue_depth", "", "Jobs waiting for a worker."))
        workers = registry.makeGauge(descriptor: name("workers", "", "In-process workers."))
        let buckets: [Duration] = [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                   .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300)]
        proveSeconds = registry.makeDurationHistogram(descriptor: name("prove", "seconds", "Seconds per inference job (witness, proof, claim)."), buckets: buckets)
        setupSeconds = registry.makeDurationHistogram(descriptor: name("setup", "seconds", "Seconds per model job (compile and setup)."), buckets: buckets)
        workers.set(Double(count))
    }

    /// The exposition text, with the job gauges set from `counts` first.
    public func render(jobCounts counts: [JobState: Int]) -> String {
        for (state, gauge) in jobsByState { gauge.set(Double(counts[state] ?? 0)) }
        queueDepth.set(Double(counts[.queued] ?? 0))
        return registry.emitToString()
    }
}
