import Foundation

/// `swift run -c release bulkgrant-bench [rate|latency|overhead|noop|resume|job|throttle|misconfigured|report]...`: starts a
/// sandbox, drives the real engine, ledger and HTTP over loopback, and prints one line per
/// scenario with the figure, the ideal and their ratio.
@main
struct BulkgrantBench {
    static func main() async {
        let wanted = Set(CommandLine.arguments.dropFirst())
        func enabled(_ name: String) -> Bool { wanted.isEmpty || wanted.contains(name) }
        var lines: [BenchLine] = []
        do {
            if enabled("rate") { lines += try await report(Scenarios.rateBound()) }
            if enabled("latency") { lines += try await report([Scenarios.latencyBound()]) }
            if enabled("overhead") { lines += try await report([Scenarios.overhead()]) }
            if enabled("noop") { lines += try await report(Scenarios.nightlyNoop()) }
            if enabled("resume") { lines += try await report([Scenarios.resumeStartup()]) }
            if enabled("job") { lines += try await report(Scenarios.job()) }
            if enabled("throttle") { lines += try await report(Scenarios.throttleBursts()) }
            if enabled("misconfigured") { lines += try await report([Scenarios.misconfiguredTenant()]) }
            if enabled("report") { lines += try await report(Scenarios.morningReport()) }
        } catch {
            FileHandle.standardError.write(Data("bulkgrant-bench: \(error)\n".utf8))
            exit(2)
        }
        FileHandle.standardOutput.write(
            Data("bench: \(lines.filter(\.pass).count) targets met, \(lines.filter { !$0.pass }.count) missed\n".utf8))
        exit(lines.allSatisfy(\.pass) ? 0 : 1)
    }

    static func report(_ lines: [BenchLine]) -> [BenchLine] {
        for line in lines { FileHandle.standardOutput.write(Data((line.text + "\n").utf8)) }
        return lines
    }
}
