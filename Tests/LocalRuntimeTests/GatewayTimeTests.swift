import Foundation
import Testing
@testable import LocalRuntime

/// `requestContext.time` as API Gateway writes it, checked against a DateFormatter with its format.
@Suite struct GatewayTimeTests {
    @Test(arguments: [0.0, 1_583_348_638.39, 1_764_158_399.999, 951_782_400, 4_102_444_799])
    func writtenAsTheGatewayWritesIt(_ seconds: Double) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        let date = Date(timeIntervalSince1970: seconds)
        #expect(APIGatewayEventBuilder.apiGatewayTime(date) == formatter.string(from: date))
    }
}
