// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ImageFunctions",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "image-functions", targets: ["image-functions"]),
        .executable(name: "local-runtime", targets: ["local-runtime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    ],
    targets: [
        // libvips as a system library plus fixed-argument wrappers of its variadic calls.
        .systemLibrary(
            name: "CVips",
            path: "Sources/CVips",
            pkgConfig: "vips",
            providers: [.apt(["libvips-dev"])]
        ),
        // libargon2 for password hashing (Argon2id).
        .systemLibrary(
            name: "CArgon2",
            path: "Sources/CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]
        ),
        // librabbitmq (rabbitmq-c) as a system library.
        .systemLibrary(
            name: "CRabbitMQ",
            path: "Sources/CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        // libjpeg-turbo's TurboJPEG API, for lossless JPEG transforms (fast masters at upload).
        .systemLibrary(
            name: "CTurboJPEG",
            path: "Sources/CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        // glibc's malloc.h: local-runtime limits its allocator's arenas and reports its heap on /metrics.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // Running other programs: posix_spawn, pipes close-on-exec, waitpid on a thread of its own.
        .target(name: "ChildProcess"),
        // libvips in Swift: decode with limits, the operations, encode. Knows nothing of HTTP, SQL or S3.
        .target(
            name: "Imaging",
            dependencies: [
                "CVips",
                "CTurboJPEG",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FunctionRuntime",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Functions",
            dependencies: [
                "FunctionRuntime",
                "Storage",
                "Messaging",
                "Imaging",
                "CArgon2",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "functions",
            // The gallery's files and the OpenAPI document, compiled into the binary (`PackageResources`): the Lambda package is one
            // executable and its libraries, with no resource bundle beside it to lose.
            resources: [
                .embedInCode("Gallery/static/index.html"),
                .embedInCode("Gallery/static/app.js"),
                .embedInCode("Gallery/static/api.js"),
                .embedInCode("Gallery/static/transformations.js"),
                .embedInCode("Gallery/static/style.css"),
                .embedInCode("OpenAPI/openapi.json"),
            ]
        ),
        .executableTarget(
            name: "image-functions",
            dependencies: [
                "Functions",
                "FunctionRuntime",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "LocalRuntime",
            dependencies: [
                "ChildProcess",
                "CMalloc",
                "FunctionRuntime",
                "Messaging",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "local-runtime/Sources/LocalRuntime"
        ),
        .executableTarget(
            name: "local-runtime",
            dependencies: [
                "LocalRuntime",
                "FunctionRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "local-runtime/Sources/local-runtime"
        ),
        // Not a test: our imaging pipeline against pyvips and Pillow, measured in the same run.
        .executableTarget(
            name: "imaging-benchmark",
            dependencies: ["Imaging"],
            exclude: ["reference_worker.py"]
        ),
        // Not a test: prints latency through local-runtime against a bare route, measured in the same run.
        .executableTarget(
            name: "runtime-benchmark",
            dependencies: [
                "LocalRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "local-runtime/Benchmarks/runtime-benchmark"
        ),
        // Not a test: the service end to end through local-runtime, next to in-process imaging.
        .executableTarget(
            name: "api-benchmark",
            dependencies: [
                "LocalRuntime",
                "Imaging",
                "Messaging",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "local-runtime/Benchmarks/api-benchmark"
        ),
        // Not a test: stops and kills the dev services and workers under load and prints what was lost.
        .executableTarget(
            name: "fault-suite",
            dependencies: [
                "ChildProcess",
                "Storage",
                "LocalRuntime",
                "Imaging",
                "Messaging",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "local-runtime/Benchmarks/fault-suite",
            // A driver script whose tasks share counters under a lock; Swift 6's region checks cannot see the lock.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // A second function binary with handlers that misbehave on purpose (sleep, crash, fail), so the
        // local runtime's supervision is tested against real processes without test code in the real binary.
        .executableTarget(
            name: "fixture-functions",
            dependencies: ["FunctionRuntime", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/Fixtures/fixture-functions"
        ),
        .testTarget(
            name: "FunctionRuntimeTests",
            dependencies: [
                "FunctionRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Payloads")]
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "ChildProcess",
                "Storage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // What the test targets share: images made from pixels, pixels read back, specs parsed as requests
        // are. Only tests import it (with @testable, so its internal helpers may use Imaging's internals).
        .target(
            name: "TestSupport",
            dependencies: ["Imaging", "CVips", "Functions"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "ImagingTests",
            dependencies: ["ChildProcess", "Imaging", "CVips", "TestSupport", "imaging-benchmark"]
        ),
        .testTarget(
            name: "MessagingTests",
            dependencies: ["Messaging"]
        ),
        // The parsers' libFuzzer targets as plain functions: infra/fuzz links them into the fuzzer, and
        // FunctionsTests replays the inputs kept under Tests/Fuzz/inputs through them.
        .target(
            name: "FuzzTargets",
            dependencies: ["Functions", "FunctionRuntime", "Imaging"],
            path: "Tests/Fuzz/FuzzTargets"
        ),
        .testTarget(
            name: "FunctionsTests",
            dependencies: [
                "ChildProcess",
                "Functions",
                "FuzzTargets",
                "Imaging",
                "TestSupport",
                "FunctionRuntime",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "LocalRuntimeTests",
            dependencies: [
                "ChildProcess",
                "LocalRuntime",
                "FunctionRuntime",
                "Messaging",
                "fixture-functions",
                "image-functions",
                "Imaging",
                "TestSupport",
                "CVips",
                "Storage",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["openapi_check.py", "webhook_receiver.py", "gallery_check.py"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// infra/fuzz builds the libFuzzer binary with IF_FUZZ=1 (in a build directory of its own): the modules whose
// parsers are fuzzed get libFuzzer's coverage instrumentation, and `fuzz` links libFuzzer, which brings `main`.
// Without IF_FUZZ the target does not exist, so no other build needs the fuzzer's runtime.
if Context.environment["IF_FUZZ"] == "1" {
    let instrumented: Set = ["Functions", "FunctionRuntime", "Imaging", "FuzzTargets"]
    for target in package.targets where instrumented.contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-sanitize=fuzzer"])]
    }
    package.targets.append(
        .executableTarget(
            name: "fuzz",
            dependencies: ["FuzzTargets"],
            path: "Tests/Fuzz/Entry",
            swiftSettings: [.unsafeFlags(["-sanitize=fuzzer", "-parse-as-library"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]
        )
    )
}
