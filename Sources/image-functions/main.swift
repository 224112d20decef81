import FunctionRuntime
import Functions

import Foundation

// One binary, many functions: `_HANDLER` (or `--handler`) picks one from the table, and the Runtime API loop
// at `AWS_LAMBDA_RUNTIME_API` feeds it. The same binary runs under AWS Lambda and under local-runtime.
// A handler still running 1 s before its deadline (a dependency that does not answer) is failed by the loop,
// not killed by the platform with the whole sandbox; HTTP functions answer 503 before that (APIFunctionAdapter).
let status = await FunctionMain.run(table: functionTable, deadlineMargin: .seconds(1)) { logger in
    try FunctionEnvironment.make(environment: ProcessInfo.processInfo.environment, logger: logger)
}
exit(status)
