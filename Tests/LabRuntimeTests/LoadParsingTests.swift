import ProfileModel
import LabRuntime
import Testing

@Suite struct LoadParsingTests {
    @Test func routeMixParsesWeights() throws {
        let mix = try RouteMix.parse("checkout=70,price=30")
        #expect(mix.weights.map(\.route) == ["checkout", "price"])
        #expect(mix.pick(0.69) == "checkout")
        #expect(mix.pick(0.71) == "price")
    }

    @Test(arguments: ["", "nope", "checkout=0", "checkout=-1", "checkout=abc", "price=1,bogus=2"])
    func routeMixRejectsBadInputWithAClearMessage(_ text: String) {
        let error = #expect(throws: FlamelabError.self) { try RouteMix.parse(text) }
        #expect(error?.description.hasPrefix("failed to parse route mix") == true)
    }

    @Test func durations() {
        #expect(DurationParser.seconds("500ms") == 0.5)
        #expect(DurationParser.seconds("30s") == 30)
        #expect(DurationParser.seconds("5m") == 300)
        #expect(DurationParser.seconds("2") == 2)
        #expect(DurationParser.seconds("-1s") == nil)
        #expect(DurationParser.seconds("abc") == nil)
        #expect(DurationParser.seconds("") == nil)
    }

    @Test func statistics() {
        #expect(Statistics.median([3, 1, 2]) == 2)
        #expect(Statistics.median([]) == nil)
        #expect(Statistics.quantile([0, 10], 0.25) == 2.5)
    }
}
