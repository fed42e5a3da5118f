import ZKAlgebra
import ZKConstraints

/// Builds a rank-1 constraint system and its witness with one code path.
///
/// Every operation both *records constraints* (against ``Variable`` handles) and *computes the
/// values* of the wires it creates, so the same Swift function declares the circuit and solves it.
///
/// Layout invariant, fixed by ``build()``: wire 0 is the constant one, wires `1...nPublic` are the
/// public inputs in declaration order (they may be declared at any point, also after private
/// wires), then the private wires in allocation order.
///
/// Soundness contract: every method documented as a gadget fully constrains the wires it returns —
/// for fixed inputs there is exactly one value of each output satisfying the constraints it adds
/// (auxiliary wires may be free only where the doc says so, and then never affect an output).
/// ``witness(_:)`` is the one exception by design: it creates a *hint*, an unconstrained private
/// wire that the caller must constrain.
///
/// Not thread-safe; use one builder per thread.
public final class CircuitBuilder {
    /// Values of the public inputs, in declaration order.
    public private(set) var publicValues: [Fr] = []
    /// Values of the private wires, in allocation order.
    public private(set) var privateValues: [Fr] = []
    private var names: [Variable: String] = [:]

    // Constraints, flat: terms (handle raw value, coefficient) and 3 end offsets per constraint.
    private var termHandles: [Int] = []
    private var termCoefficients: [Fr] = []
    private var ends: [Int] = []
    private var labels: [Int: String] = [:]

    /// Whether constraint labels are stored (gadget labels are only formatted when this is true).
    /// Turn off for very large circuits to save time and memory.
    public var recordsLabels: Bool
    /// Whether wire values are computed. A constraint-only builder (false) records the same constraints — no gadget's
    /// structure depends on wire values — but every wire reads as zero (constants keep their values), so building the
    /// system for compile or setup costs almost no field arithmetic and needs no input.
    public let solvesWitness: Bool

    public init(recordsLabels: Bool = true, solvesWitness: Bool = true) {
        self.recordsLabels = recordsLabels
        self.solvesWitness = solvesWitness
    }

    /// The constant-one handle (wire 0).
    public var one: Variable { .one }

    /// Number of public inputs declared so far.
    public var publicCount: Int { publicValues.count }
    /// Number of private wires allocated so far (inputs, hints and gadget wires).
    public var privateCount: Int { privateValues.count }
    /// Number of constraints recorded so far.
    public var constraintCount: Int { ends.count / 3 }

    // MARK: Wires

    /// Declares a public input with value `value`. Creates one wire and no constraint.
    public func publicInput(_ value: Fr, name: String? = nil) -> Variable {
        publicValues.append(value)
        let v = Variable(raw: publicValues.count)
        if let name { names[v] = name }
        return v
    }

    /// Declares a private input with value `value`. Creates one wire and no constraint.
    public func privateInput(_ value: Fr, name: String? = nil) -> Variable {
        let v = allocatePrivate(value)
        if let name { names[v] = name }
        return v
    }

    /// An auxiliary private wire holding a value computed by the caller (a *hint*).
    ///
    /// The wire is **unconstrained**: the caller must add constraints that pin it down (or accept
    /// that a prover may put any value there). Creates one wire and no constraint.
    public func witness(_ value: Fr) -> Variable { allocatePrivate(value) }

    @inline(__always) private func allocatePrivate(_ value: Fr) -> Variable {
        privateValues.append(value)
        return Variable(raw: -privateValues.count)
    }

    /// The name given to an input, if any.
    public func name(of v: Variable) -> String? { names[v] }

    /// The wire index `v` gets in the built system, computed against the public inputs declared
    /// *so far* (private wires shift if more public inputs are declared later).
    public func wireIndex(of v: Variable) -> Int {
        switch v.kind {
        case .one: return 0
        case .publicInput(let k): precondition(k < publicValues.count, "unknown handle \(v)"); return 1 + k
        case .privateWire(let k): precondition(k < privateValues.count, "unknown handle \(v)"); return 1 + publicValues.count + k
        }
    }

    /// The current witness value of a handle.
    public func value(of v: Variable) -> Fr {
        switch v.kind {
        case .one: return .one
        case .publicInput(let k): precondition(k < publicValues.count, "unknown handle \(v)"); return publicValues[k]
        case .privateWire(let k): precondition(k < privateValues.count, "unknown handle \(v)"); return privateValues[k]
        }
    }

    /// The current witness value of an expression.
    public func value(of e: some LinearExpressible) -> Fr {
        var acc = Fr.zero
        guard solvesWitness else {
            // Constraint-only: wires read as zero, but a constant is still its value (gadgets fold constants, e.g. a
            // Poseidon S-box of a constant lane, so the system's coefficients depend on them).
            for t in e.linearExpression.terms where t.variable == .one { acc += t.coefficient }
            return acc
        }
        for t in e.linearExpression.terms { acc += t.coefficient * value(of: t.variable) }
        return acc
    }

    // MARK: Constraints

    /// Records the raw constraint `a · b = c`. Values are not checked here (``build()`` followed by
    /// `ConstraintSystem.check` does that). Cost: 1 constraint.
    public func addConstraint(_ a: some LinearExpressible, _ b: some LinearExpressible, _ c: some LinearExpressible,
                              label: @autoclosure () -> String? = nil) {
        for side in [a.linearExpression, b.linearExpression, c.linearExpression] {
            for t in side.terms {
                switch t.variable.kind {
                case .one: break
                case .publicInput(let k): precondition(k < publicValues.count, "unknown handle \(t.variable)")
                case .privateWire(let k): precondition(k < privateValues.count, "unknown handle \(t.variable)")
                }
                termHandles.append(t.variable.raw)
                termCoefficients.append(t.coefficient)
            }
            ends.append(termHandles.count)
        }
        if recordsLabels, let l = label() { labels[constraintCount - 1] = l }
    }

    /// A new private wire `out = a · b`, with the constraint `a · b = out`. Cost: 1 constraint, 1 wire.
    /// `out` is fully determined by `a` and `b`.
    public func mul(_ a: some LinearExpressible, _ b: some LinearExpressible, label: @autoclosure () -> String? = nil) -> Variable {
        let out = allocatePrivate(value(of: a) * value(of: b))
        addConstraint(a, b, out, label: label())
        return out
    }

    /// Asserts `a · b = c`. Cost: 1 constraint.
    public func assertMul(_ a: some LinearExpressible, _ b: some LinearExpressible, equals c: some LinearExpressible,
                          label: @autoclosure () -> String? = nil) {
        addConstraint(a, b, c, label: label())
    }

    /// Asserts `a = b` as the single constraint `(a − b) · 1 = 0`. Cost: 1 constraint.
    public func assertEqual(_ a: some LinearExpressible, _ b: some LinearExpressible, label: @autoclosure () -> String? = nil) {
        addConstraint(a - b, Variable.one, LinearExpression(), label: label())
    }

    // MARK: Output

    /// Lays out the wires (0 = one, `1...nPublic` = public inputs in declaration order, then
    /// private wires in allocation order) and returns the constraint system, the full witness
    /// (`witness[0] = 1`, `witness.count = system.wireCount`) and the public values
    /// (`== witness[1...nPublic]`). The builder is unchanged and may be extended afterwards.
    public func build() -> (system: ConstraintSystem, witness: [Fr], publicValues: [Fr]) {
        let nPublic = publicValues.count
        var system = ConstraintSystem(publicCount: nPublic, privateCount: privateValues.count)
        system.reserveCapacity(constraints: constraintCount, termsPerConstraint: max(1, termHandles.count / max(1, constraintCount)))
        func wire(_ raw: Int) -> Int { raw >= 0 ? raw : nPublic - raw }  // private ordinal k (raw = -(k+1)) → 1 + nPublic + k
        var start = 0
        var sides: [LinearCombination] = [LinearCombination(), LinearCombination(), LinearCombination()]
        for i in 0..<constraintCount {
            for s in 0..<3 {
                let end = ends[3 * i + s]
                var terms: [Term] = []
                terms.reserveCapacity(end - start)
                for t in start..<end { terms.append(Term(wire: wire(termHandles[t]), coefficient: termCoefficients[t])) }
                sides[s] = LinearCombination(terms)
                start = end
            }
            system.addConstraint(sides[0], sides[1], sides[2], label: labels[i])
        }
        var witness = [Fr.one]
        witness.reserveCapacity(1 + nPublic + privateValues.count)
        witness.append(contentsOf: publicValues)
        witness.append(contentsOf: privateValues)
        return (system, witness, publicValues)
    }

    /// Builds the circuit `define` describes and checks its own witness against it — a one-call
    /// test helper in the spirit of gnark's `assert.CheckCircuit`.
    ///
    /// Throws `UnsatisfiedConstraint` (naming the first violated constraint and its label) or
    /// `WitnessError` when the honest witness does not satisfy the system.
    public static func checkCircuit(recordsLabels: Bool = true, _ define: (CircuitBuilder) throws -> Void) throws
        -> (system: ConstraintSystem, witness: [Fr])
    {
        let builder = CircuitBuilder(recordsLabels: recordsLabels)
        try define(builder)
        let (system, witness, _) = builder.build()
        try system.check(witness)
        return (system, witness)
    }
}
