/// An error that is a verdict on a change received: decided from the
/// change's causal past alone, so every replica reaches it, with the same
/// code, whatever order changes arrive in. A replica keeps such a change in
/// its rejected ledger rather than refusing the bundle that carried it.
public protocol ChangeVerdict: Error, CustomStringConvertible {
    /// The stable snake_case name of the rule broken, as `Protocol/` lists it.
    var codeName: String { get }
    /// Why, in words.
    var reason: String { get }
}

extension ChangeError: ChangeVerdict {
    public var codeName: String { code.name }
}

extension AuthorizationError: ChangeVerdict {
    public var codeName: String { code.name }
}
