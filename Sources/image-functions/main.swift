import FunctionRuntime
import Functions

import Foundation

// One binary, many functions: `_HANDLER` (or `--handler`) picks one from the table, and the Runtime API loop
// at `AWS_LAMBDA_RUNTIME_API` feeds it. The same binary runs under AWS Lambda and under local-runtime.
let status = await FunctionMain.run(table: functionTable) { logger in
    try FunctionEnvironment.make(environment: ProcessInfo.processInfo.environment, logger: logger)
}
exit(status)
