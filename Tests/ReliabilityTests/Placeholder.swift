import Testing

@Test("the reliability target builds") func reliabilityTargetBuilds() { #expect(Bool(true)) }
