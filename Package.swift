// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target of the package: Swift 6 language mode plus
/// the upcoming features the house style asks for.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "gfmd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gfmd", targets: ["gfmd"]),
        .executable(name: "gfmd-bench", targets: ["gfmd-bench"]),
        .executable(name: "gfmd-fuzz", targets: ["gfmd-fuzz"]),
        .library(name: "GFMDCore", targets: ["GFMDCore"]),
        .library(name: "GFMDSync", targets: ["GFMDSync"]),
        .library(name: "GFMDReplica", targets: ["GFMDReplica"]),
        // The hub and its client link SwiftNIO; a library user of the replica alone does not.
        .library(name: "GFMDHub", targets: ["GFMDHub"]),
        .library(name: "GFMDHubClient", targets: ["GFMDHubClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "GFMDCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDSync",
            dependencies: ["GFMDCore"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDBundle",
            dependencies: [
                "GFMDCore", "GFMDSync", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDStore",
            dependencies: [
                "GFMDCore", "GFMDSync", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDReplica",
            dependencies: [
                "GFMDCore", "GFMDSync", "GFMDBundle", "GFMDStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDWeb",
            dependencies: [
                "GFMDReplica", "GFMDCore", "GFMDHubClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDHub",
            dependencies: [
                "GFMDReplica", "GFMDSync", "GFMDCore", "GFMDBundle", "GFMDWeb", "GFMDHubClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDHubClient",
            dependencies: [
                "GFMDReplica", "GFMDSync", "GFMDCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gfmd",
            dependencies: [
                "GFMDReplica", "GFMDCore", "GFMDHub", "GFMDHubClient", "GFMDWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gfmd-bench",
            dependencies: [
                "GFMDReplica", "GFMDCore", "GFMDStore", "GFMDBundle", "GFMDSync", "GFMDHub", "GFMDHubClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gfmd-fuzz",
            dependencies: ["GFMDCore", "GFMDBundle"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GFMDTestSupport",
            dependencies: ["GFMDCore", "GFMDBundle", "GFMDStore", "GFMDReplica", "CZlib"],
            path: "Tests/GFMDTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GFMDCoreTests",
            dependencies: ["GFMDCore", "GFMDTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GFMDSyncTests",
            dependencies: ["GFMDSync", "GFMDCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GFMDBundleTests",
            dependencies: ["GFMDBundle", "GFMDSync", "GFMDCore", "GFMDTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GFMDReplicaTests",
            dependencies: [
                "GFMDReplica", "GFMDStore", "GFMDSync", "GFMDBundle", "GFMDCore", "GFMDTestSupport",
                // To alter a replica's database behind gfmd's back, as `gfmd verify` must detect.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GFMDHubTests",
            dependencies: [
                "GFMDHub", "GFMDHubClient", "GFMDReplica", "GFMDStore", "GFMDSync", "GFMDCore", "GFMDTestSupport",
                // To make a copied folder that cannot tell it was copied (a disk image cloned whole).
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GFMDCLITests",
            dependencies: [
                "gfmd", "GFMDCore", "GFMDReplica", "GFMDTestSupport",
                // To alter a replica's database behind gfmd's back, as `gfmd verify` must detect.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
