/// Pages through an offset-paged Nylas list (`limit`, `offset`) as one async sequence,
/// fetching the next page only when the caller gets there. Stops at the first page that
/// comes back shorter than `pageSize`, as Nylas documents.
public struct OffsetPager<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Fetch = @Sendable (_ offset: Int, _ limit: Int) async throws -> [Element]

    public let pageSize: Int
    private let fetch: Fetch

    public init(pageSize: Int, fetch: @escaping Fetch) {
        self.pageSize = Swift.max(1, pageSize)
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pageSize: pageSize, fetch: fetch)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pageSize: Int
        let fetch: Fetch
        var buffer: [Element] = []
        var index = 0
        var offset = 0
        var exhausted = false

        init(pageSize: Int, fetch: @escaping Fetch) {
            self.pageSize = pageSize
            self.fetch = fetch
        }

        public mutating func next() async throws -> Element? {
            if index == buffer.count {
                guard !exhausted else { return nil }
                buffer = try await fetch(offset, pageSize)
                index = 0
                offset += buffer.count
                exhausted = buffer.count < pageSize
                if buffer.isEmpty { return nil }
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}
