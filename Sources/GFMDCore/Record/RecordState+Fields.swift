extension RecordState {
    /// Runs `body` on the state of field `name`, created empty when absent.
    ///
    /// The field is found once and modified in place: its state leaves the
    /// dictionary while `body` runs, so that it is uniquely referenced and a
    /// long text is never copied.
    @inline(__always) mutating func modifyRegister<R>(_ name: String, _ body: (inout MultiValueRegister<Value>) throws -> R) rethrows -> R {
        try modifyField(FieldKey(name, .register), { $0.register }, FieldState.register, empty: MultiValueRegister(), body)
    }

    /// Runs `body` on set field `name` in place (``modifyRegister(_:_:)``).
    @inline(__always) mutating func modifySet<R>(_ name: String, _ body: (inout ObservedRemoveSet<Value>) throws -> R) rethrows -> R {
        try modifyField(FieldKey(name, .set), { $0.set }, FieldState.set, empty: ObservedRemoveSet(), body)
    }

    /// Runs `body` on text field `name` in place (``modifyRegister(_:_:)``).
    @inline(__always) mutating func modifyText<R>(_ name: String, _ body: (inout SequenceState) throws -> R) rethrows -> R {
        try modifyField(FieldKey(name, .text), { $0.text }, FieldState.text, empty: SequenceState(), body)
    }

    /// Runs `body` on list field `name` in place (``modifyRegister(_:_:)``).
    @inline(__always) mutating func modifyList<R>(_ name: String, _ body: (inout ListState) throws -> R) rethrows -> R {
        try modifyField(FieldKey(name, .list), { $0.list }, FieldState.list, empty: ListState(), body)
    }

    @inline(__always) private mutating func modifyField<State, R>(
        _ key: FieldKey, _ payload: (FieldState) -> State?, _ wrap: (State) -> FieldState,
        empty: @autoclosure () -> State, _ body: (inout State) throws -> R
    ) rethrows -> R {
        guard let index = fields.index(forKey: key) else {
            var state = empty()
            defer { fields[key] = wrap(state) }
            return try body(&state)
        }
        var state = payload(fields.values[index]) ?? empty()
        // An empty register holds nothing on the heap: the slot keeps no reference.
        fields.values[index] = .register(MultiValueRegister())
        defer { fields.values[index] = wrap(state) }
        return try body(&state)
    }
}
