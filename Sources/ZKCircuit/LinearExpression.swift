import ZKAlgebra

/// A handle to one wire of a circuit under construction in a ``CircuitBuilder``.
///
/// A handle records *which kind* of wire it is (the constant one, the k-th public input, or the
/// k-th private wire) rather than a final wire index, because public inputs may be declared at any
/// point and ``CircuitBuilder/build()`` only fixes the layout at the end:
/// wire 0 = one, wires `1...nPublic` = public inputs in declaration order, then private wires in
/// allocation order. A handle is only meaningful for the builder that produced it.
public struct Variable: Hashable, Sendable, CustomStringConvertible {
    /// 0 = the constant one; `k > 0` = the k-th public input (1-based); `k < 0` = the |k|-th private wire (1-based).
    @usableFromInline let raw: Int

    @inlinable init(raw: Int) { self.raw = raw }

    /// The kind of wire a handle denotes.
    public enum Kind: Hashable, Sendable {
        /// The constant-one wire (wire 0).
        case one
        /// The public input with this 0-based declaration ordinal (final wire `ordinal + 1`).
        case publicInput(Int)
        /// The private wire with this 0-based allocation ordinal (final wire `1 + nPublic + ordinal`).
        case privateWire(Int)
    }

    /// The kind and ordinal of this handle.
    public var kind: Kind {
        if raw == 0 { return .one }
        return raw > 0 ? .publicInput(raw - 1) : .privateWire(-raw - 1)
    }

    /// The constant-one handle (valid in every builder).
    public static let one = Variable(raw: 0)

    public var description: String {
        switch kind {
        case .one: return "one"
        case .publicInput(let k): return "pub[\(k)]"
        case .privateWire(let k): return "priv[\(k)]"
        }
    }
}

/// Anything usable as a linear expression over circuit handles: ``Variable`` and ``LinearExpression``.
public protocol LinearExpressible {
    /// This value as a linear expression.
    var linearExpression: LinearExpression { get }
}

/// A linear expression `Σ cᵢ·vᵢ` over ``Variable`` handles; constants are multiples of ``Variable/one``.
///
/// Combining expressions is free: it creates no wire and no constraint. An expression is turned
/// into constraint rows only when it is passed to a ``CircuitBuilder`` operation such as
/// ``CircuitBuilder/mul(_:_:label:)`` or ``CircuitBuilder/assertEqual(_:_:label:)``.
/// Terms are not merged eagerly (the constraint system normalizes each row); call
/// ``simplified()`` to merge them explicitly.
public struct LinearExpression: LinearExpressible, Hashable, Sendable {
    /// One term `coefficient · variable`.
    public struct Term: Hashable, Sendable {
        public var variable: Variable
        public var coefficient: Fr
        @inlinable public init(variable: Variable, coefficient: Fr) { self.variable = variable; self.coefficient = coefficient }
    }

    public var terms: [Term]

    /// The empty expression (zero).
    @inlinable public init() { terms = [] }
    @inlinable public init(_ terms: [Term]) { self.terms = terms }
    /// `coefficient · variable`.
    @inlinable public init(_ variable: Variable, _ coefficient: Fr = .one) {
        terms = coefficient.isZero ? [] : [Term(variable: variable, coefficient: coefficient)]
    }

    /// The constant `c` (a multiple of the one wire).
    @inlinable public static func constant(_ c: Fr) -> LinearExpression { LinearExpression(.one, c) }
    /// The zero expression.
    public static var zero: LinearExpression { LinearExpression() }

    public var linearExpression: LinearExpression { self }

    /// Merges repeated handles and drops zero coefficients (order: first occurrence).
    public func simplified() -> LinearExpression {
        var index: [Variable: Int] = [:]
        var out: [Term] = []
        for t in terms {
            if let i = index[t.variable] { out[i].coefficient += t.coefficient }
            else { index[t.variable] = out.count; out.append(t) }
        }
        return LinearExpression(out.filter { !$0.coefficient.isZero })
    }

    /// Whether the expression is identically a constant (no handle other than ``Variable/one``).
    public var isConstant: Bool { simplified().terms.allSatisfy { $0.variable == .one } }

    /// Mutating sum.
    public static func += <R: LinearExpressible>(lhs: inout LinearExpression, rhs: R) {
        lhs.terms.append(contentsOf: rhs.linearExpression.terms)
    }
    /// Mutating difference.
    public static func -= <R: LinearExpressible>(lhs: inout LinearExpression, rhs: R) {
        lhs.terms.append(contentsOf: rhs.linearExpression.terms.map { Term(variable: $0.variable, coefficient: -$0.coefficient) })
    }
    /// Mutating sum with a constant.
    public static func += (lhs: inout LinearExpression, rhs: Fr) {
        if !rhs.isZero { lhs.terms.append(Term(variable: .one, coefficient: rhs)) }
    }
    /// Mutating difference with a constant.
    public static func -= (lhs: inout LinearExpression, rhs: Fr) { lhs += -rhs }
}

extension Variable: LinearExpressible {
    @inlinable public var linearExpression: LinearExpression { LinearExpression(self) }
}

extension LinearExpressible {
    /// `c · self`.
    @inlinable func scaled(by c: Fr) -> LinearExpression {
        if c.isZero { return LinearExpression() }
        return LinearExpression(linearExpression.terms.map { .init(variable: $0.variable, coefficient: $0.coefficient * c) })
    }

    public static func + <R: LinearExpressible>(lhs: Self, rhs: R) -> LinearExpression {
        LinearExpression(lhs.linearExpression.terms + rhs.linearExpression.terms)
    }
    public static func - <R: LinearExpressible>(lhs: Self, rhs: R) -> LinearExpression {
        LinearExpression(lhs.linearExpression.terms + rhs.scaled(by: -Fr.one).terms)
    }
    public static func + (lhs: Self, rhs: Fr) -> LinearExpression { lhs + LinearExpression.constant(rhs) }
    public static func + (lhs: Fr, rhs: Self) -> LinearExpression { LinearExpression.constant(lhs) + rhs }
    public static func - (lhs: Self, rhs: Fr) -> LinearExpression { lhs + LinearExpression.constant(-rhs) }
    public static func - (lhs: Fr, rhs: Self) -> LinearExpression { LinearExpression.constant(lhs) - rhs }
    public static func * (lhs: Self, rhs: Fr) -> LinearExpression { lhs.scaled(by: rhs) }
    public static func * (lhs: Fr, rhs: Self) -> LinearExpression { rhs.scaled(by: lhs) }
    public static prefix func - (x: Self) -> LinearExpression { x.scaled(by: -Fr.one) }
}
