import GFMDSync
import Hummingbird

/// Answers every request the routes do not (an unknown path, a wrong
/// method, an unexpected failure) with a JSON error, like the refusals of
/// ``SyncEndpoint``.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let responses: HubResponses

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let code = switch error.status.code {
            case 404: "not_found"
            case 405: "method_not_allowed"
            case 413: "too_large"
            default: "bad_request"
            }
            let message = error.status.code == 404
                ? "no such endpoint: \(request.method.rawValue) \(request.uri.path) (Protocol/http.md lists them)"
                : error.body ?? error.status.reasonPhrase
            return responses.refusal(HubRefusal(status: error.status.code, code: code, message), nonce: nil)
        } catch {
            return responses.refusal(HubRefusal(status: 500, code: "internal", "the hub failed: \(error)"), nonce: nil)
        }
    }
}
