import Foundation
import FunctionRuntime
import Storage

/// `GET /api-keys`: the caller's keys, newest first, without their secrets (at most `maxPerUser`, so one page).
struct ListAPIKeysFunction: APIFunction {
    let accounts: AccountService

    struct List: Encodable {
        var items: [APIKeyJSON]
        var total: Int
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .session)
        let keys = try await accounts.keys.list(owner: user.id)
        return .json(List(items: keys.map { APIKeyJSON($0) }, total: keys.count), headers: ["cache-control": "no-store"])
    }
}
