// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "bulkgrant",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bulkgrant", targets: ["bulkgrant"]),
        .library(name: "NylasAPI", targets: ["NylasAPI"]),
        .library(name: "NylasSandbox", targets: ["NylasSandbox"]),
        .library(name: "GrantLedger", targets: ["GrantLedger"]),
        .library(name: "Provisioning", targets: ["Provisioning"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.11.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .target(
            name: "NylasAPI",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "NylasSandbox",
            dependencies: [
                "NylasAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GrantLedger",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Provisioning",
            dependencies: [
                "NylasAPI",
                "GrantLedger",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Onboarding",
            dependencies: [
                "NylasAPI",
                "GrantLedger",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "bulkgrant",
            dependencies: [
                "NylasAPI",
                "NylasSandbox",
                "GrantLedger",
                "Provisioning",
                "Onboarding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "bulkgrant-bench",
            dependencies: [
                "NylasAPI",
                "NylasSandbox",
                "GrantLedger",
                "Provisioning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SandboxTestSupport",
            dependencies: ["NylasAPI", "NylasSandbox", .product(name: "Logging", package: "swift-log")],
            path: "Tests/SandboxTestSupport"
        ),
        .target(name: "ProcessTestSupport", path: "Tests/ProcessTestSupport"),
        .testTarget(name: "NylasAPITests", dependencies: ["NylasAPI", "NylasSandbox", "SandboxTestSupport"]),
        .testTarget(
            name: "NylasSandboxTests",
            dependencies: ["NylasAPI", "NylasSandbox", "SandboxTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "GrantLedgerTests", dependencies: ["GrantLedger"]),
        .testTarget(name: "ProvisioningTests", dependencies: ["Provisioning", "NylasSandbox"]),
        .testTarget(
            name: "OnboardingTests",
            dependencies: ["Onboarding", "NylasAPI", "NylasSandbox", "GrantLedger", "SandboxTestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ProcessTestSupport", "bulkgrant", "NylasAPI", "NylasSandbox", "GrantLedger"]
        ),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["ProcessTestSupport", 
                "bulkgrant", "NylasAPI", "NylasSandbox", "GrantLedger", "Provisioning",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CommandsTests", dependencies: ["ProcessTestSupport", "bulkgrant", "NylasAPI", "NylasSandbox", "GrantLedger", "SandboxTestSupport"]),
        .testTarget(
            name: "OperationsTests",
            dependencies: ["ProcessTestSupport", "bulkgrant", "NylasAPI", "NylasSandbox", "GrantLedger", "Provisioning"]
        ),
    ]
)
