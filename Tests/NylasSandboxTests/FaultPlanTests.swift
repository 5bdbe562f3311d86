import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("FaultPlan parsing")
struct FaultPlanTests {
    @Test func parsesStatusesAndKinds() throws {
        let plan = try FaultPlan.parse("500=0.05, 502=0.01,drop=0.02,hang=0.001,html=0.01,empty=0.01,429=1")
        #expect(plan.statusProbabilities == [500: 0.05, 502: 0.01, 429: 1])
        #expect(plan.drop == 0.02)
        #expect(plan.hang == 0.001)
        #expect(plan.html == 0.01)
        #expect(plan.empty == 0.01)
        #expect(!plan.isQuiet)
    }

    @Test func emptyPlanIsQuiet() throws {
        #expect(try FaultPlan.parse("").isQuiet)
        #expect(FaultPlan().isQuiet)
        #expect(try FaultPlan.parse("500=0").isQuiet)
    }

    @Test(arguments: ["500", "500=2", "500=-0.1", "200=0.5", "teapot=0.1", "drop=often", "=0.5"])
    func rejectsMalformedItems(text: String) {
        #expect(throws: SandboxError.self) { try FaultPlan.parse(text) }
    }

    @Test func parsesLatency() throws {
        #expect(try FaultPlan.parseLatency("200-400") == 200...400)
        #expect(try FaultPlan.parseLatency("150") == 150...150)
        #expect(try FaultPlan.parseLatency("0") == 0...0)
    }

    @Test(arguments: ["400-200", "abc", "1-2-3", "-5", "5-", "200--400", ""])
    func rejectsMalformedLatency(text: String) {
        #expect(throws: SandboxError.self) { try FaultPlan.parseLatency(text) }
    }
}
