import Dispatch
import Foundation
import ZKAlgebra

/// One term `coefficient · w[wire]` of a linear combination.
@frozen
public struct Term: Sendable, Hashable {
    public var wire: Int
    public var coefficient: Fr
    @inlinable public init(wire: Int, coefficient: Fr) { self.wire = wire; self.coefficient = coefficient }
}

/// A sparse linear combination `Σ cᵢ·w[i]` over wire indices (wire 0 is the constant one).
/// Terms are kept merged by wire and free of zero coefficients when built through ``normalized()``.
public struct LinearCombination: Sendable, Hashable, ExpressibleByArrayLiteral {
    public var terms: [Term]

    public init(_ terms: [Term] = []) { self.terms = terms }
    public init(arrayLiteral elements: (Int, Fr)...) { terms = elements.map { Term(wire: $0.0, coefficient: $0.1) } }
    /// `c · w[wire]`.
    public static func wire(_ index: Int, _ coefficient: Fr = .one) -> LinearCombination { LinearCombination([Term(wire: index, coefficient: coefficient)]) }
    /// The constant `c` (a multiple of wire 0).
    public static func constant(_ c: Fr) -> LinearCombination { c.isZero ? LinearCombination() : .wire(0, c) }

    /// Merges repeated wires, drops zero coefficients and sorts by wire.
    public func normalized() -> LinearCombination {
        // Fast path: already strictly increasing with no zero coefficient.
        var ordered = true
        for i in terms.indices where terms[i].coefficient.isZero || (i > 0 && terms[i - 1].wire >= terms[i].wire) {
            ordered = false
            break
        }
        if ordered { return self }
        // Sort by wire, then merge neighbours and drop zeros.
        let sorted = terms.sorted { $0.wire < $1.wire }
        var out: [Term] = []
        out.reserveCapacity(sorted.count)
        for t in sorted {
            if let last = out.last, last.wire == t.wire {
                out[out.count - 1].coefficient += t.coefficient
            } else {
                out.append(t)
            }
        }
        return LinearCombination(out.filter { !$0.coefficient.isZero })
    }

    /// `⟨self, w⟩`. Wires beyond the witness length are a programming error (checked by ``ConstraintSystem/check(_:)``).
    @inlinable
    public func evaluate(_ witness: [Fr]) -> Fr {
        var acc = Fr.zero
        for t in terms { acc += t.coefficient * witness[t.wire] }
        return acc
    }

    public static func + (a: LinearCombination, b: LinearCombination) -> LinearCombination { LinearCombination(a.terms + b.terms) }
    public static func - (a: LinearCombination, b: LinearCombination) -> LinearCombination { a + b * (-Fr.one) }
    public static func * (a: LinearCombination, c: Fr) -> LinearCombination {
        c.isZero ? LinearCombination() : LinearCombination(a.terms.map { Term(wire: $0.wire, coefficient: $0.coefficient * c) })
    }
}

/// One R1CS constraint `⟨a, w⟩ · ⟨b, w⟩ = ⟨c, w⟩`.
public struct Constraint: Sendable, Hashable {
    public var a: LinearCombination
    public var b: LinearCombination
    public var c: LinearCombination
    public init(a: LinearCombination, b: LinearCombination, c: LinearCombination) { self.a = a; self.b = b; self.c = c }
}

/// Which of the three linear combinations of a constraint.
public enum ConstraintSide: Int, Sendable, CaseIterable { case a = 0, b = 1, c = 2 }

/// The first constraint a witness violates, with the three evaluated sides.
public struct UnsatisfiedConstraint: Error, Sendable, CustomStringConvertible {
    public let index: Int
    public let label: String?
    public let a: Fr, b: Fr, c: Fr
    public init(index: Int, label: String?, a: Fr, b: Fr, c: Fr) {
        self.index = index; self.label = label; self.a = a; self.b = b; self.c = c
    }
    public var description: String {
        "constraint \(index)\(label.map { " (\($0))" } ?? "") is not satisfied: ⟨a,w⟩ = \(a), ⟨b,w⟩ = \(b), ⟨a,w⟩·⟨b,w⟩ = \(a * b) ≠ ⟨c,w⟩ = \(c)"
    }
}

/// Errors a witness can have before any constraint is evaluated.
public enum WitnessError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongLength(expected: Int, got: Int)
    case constantWireNotOne
    public var description: String {
        switch self {
        case let .wrongLength(e, g): return "witness has \(g) values, the constraint system has \(e) wires"
        case .constantWireNotOne: return "witness[0] must be 1 (the constant wire)"
        }
    }
}

/// A rank-1 constraint system over BN254's Fr.
///
/// Wire layout (the iden3/snarkjs convention): wire 0 is the constant 1, wires `1...publicCount`
/// are the public inputs (outputs first, as circom orders them), the rest are private.
///
/// Storage is flat and deduplicated for memory: each term is two `UInt32`s (wire, index into a
/// table of distinct coefficients), and each constraint three `UInt32` end offsets. A constraint
/// with four terms in total costs 4·8 + 12 = 44 bytes plus its share of the coefficient table
/// (see ``estimatedBytes``).
public struct ConstraintSystem: Sendable {
    /// Number of wires including the constant one.
    public private(set) var wireCount: Int
    /// Number of public inputs (wires `1...publicCount`).
    public let publicCount: Int

    @usableFromInline var termWires: [UInt32] = []
    @usableFromInline var termCoefficients: [UInt32] = []
    /// For constraint i, side s: terms end at `ends[3i + s]` (exclusive); start is the previous end.
    @usableFromInline var ends: [UInt32] = []
    @usableFromInline var coefficientTable: [Fr] = []
    private var coefficientIndex: [Fr: UInt32] = [:]
    private var labels: [Int: String] = [:]

    /// A system with `publicCount` public inputs and `privateCount` private wires.
    public init(publicCount: Int, privateCount: Int = 0) {
        precondition(publicCount >= 0 && privateCount >= 0, "wire counts must be non-negative")
        self.publicCount = publicCount
        self.wireCount = 1 + publicCount + privateCount
    }

    public var constraintCount: Int { ends.count / 3 }
    public var privateCount: Int { wireCount - 1 - publicCount }

    /// Adds `count` private wires and returns the index of the first.
    @discardableResult
    public mutating func addPrivateWires(_ count: Int) -> Int {
        let first = wireCount
        wireCount += count
        return first
    }

    private mutating func intern(_ c: Fr) -> UInt32 {
        if let i = coefficientIndex[c] { return i }
        let i = UInt32(coefficientTable.count)
        coefficientTable.append(c)
        coefficientIndex[c] = i
        return i
    }

    /// Appends `a · b = c`. Linear combinations are normalized; every wire must be `< wireCount`.
    public mutating func addConstraint(_ a: LinearCombination, _ b: LinearCombination, _ c: LinearCombination, label: String? = nil) {
        for lc in [a, b, c] {
            for t in lc.normalized().terms {
                precondition(t.wire >= 0 && t.wire < wireCount, "wire \(t.wire) out of range (\(wireCount) wires)")
                termWires.append(UInt32(t.wire))
                termCoefficients.append(intern(t.coefficient))
            }
            ends.append(UInt32(termWires.count))
        }
        if let label { labels[constraintCount - 1] = label }
    }

    public mutating func addConstraint(_ constraint: Constraint, label: String? = nil) {
        addConstraint(constraint.a, constraint.b, constraint.c, label: label)
    }

    /// The terms of one side of constraint `index`.
    @inlinable
    public func terms(_ index: Int, _ side: ConstraintSide) -> [Term] {
        var out: [Term] = []
        forEachTerm(index, side) { out.append(Term(wire: $0, coefficient: $1)) }
        return out
    }

    /// Calls `body(wire, coefficient)` for each term of one side of constraint `index`, without allocating.
    @inlinable
    public func forEachTerm(_ index: Int, _ side: ConstraintSide, _ body: (Int, Fr) -> Void) {
        let k = 3 * index + side.rawValue
        let start = k == 0 ? 0 : Int(ends[k - 1])
        let end = Int(ends[k])
        for t in start..<end { body(Int(termWires[t]), coefficientTable[Int(termCoefficients[t])]) }
    }

    /// ⟨side, w⟩ for constraint `index`.
    @inlinable
    public func evaluate(_ index: Int, _ side: ConstraintSide, _ witness: UnsafeBufferPointer<Fr>) -> Fr {
        let k = 3 * index + side.rawValue
        let start = k == 0 ? 0 : Int(ends[k - 1])
        let end = Int(ends[k])
        var acc = Fr.zero
        for t in start..<end { acc += coefficientTable[Int(termCoefficients[t])] * witness[Int(termWires[t])] }
        return acc
    }

    public func constraint(_ index: Int) -> Constraint {
        Constraint(a: LinearCombination(terms(index, .a)), b: LinearCombination(terms(index, .b)), c: LinearCombination(terms(index, .c)))
    }

    public func label(_ index: Int) -> String? { labels[index] }

    /// Checks `witness` (full assignment, `witness[0] = 1`) against every constraint; throws
    /// ``WitnessError`` for a malformed witness and ``UnsatisfiedConstraint`` naming the first violation.
    public func check(_ witness: [Fr]) throws {
        try check(witness, threads: 1)
    }

    /// ``check(_:)`` on up to `threads` threads (nil: every core), in contiguous ranges of constraints;
    /// the error names the lowest unsatisfied constraint whatever the thread count.
    public func check(_ witness: [Fr], threads: Int?) throws {
        guard witness.count == wireCount else { throw WitnessError.wrongLength(expected: wireCount, got: witness.count) }
        guard witness.first == .one else { throw WitnessError.constantWireNotOne }
        let n = constraintCount
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, n / 4096 + 1))
        let chunk = (n + workers - 1) / workers
        var firstFailure = [Int](repeating: Int.max, count: workers)
        witness.withUnsafeBufferPointer { w in
            firstFailure.withUnsafeMutableBufferPointer { slots in
                let box = CheckBox(system: self, witness: w, slots: slots)
                DispatchQueue.concurrentPerform(iterations: workers) { t in
                    let lo = min(n, t * chunk), hi = min(n, lo + chunk)
                    for i in lo..<hi {
                        let a = box.system.evaluate(i, .a, box.witness), b = box.system.evaluate(i, .b, box.witness)
                        if a * b != box.system.evaluate(i, .c, box.witness) { box.slots[t] = i; return }
                    }
                }
            }
        }
        if let i = firstFailure.min(), i != Int.max {
            try witness.withUnsafeBufferPointer { w in
                let a = evaluate(i, .a, w), b = evaluate(i, .b, w), c = evaluate(i, .c, w)
                throw UnsatisfiedConstraint(index: i, label: labels[i], a: a, b: b, c: c)
            }
        }
    }

    /// Whether `witness` satisfies every constraint.
    public func isSatisfied(by witness: [Fr]) -> Bool { (try? check(witness)) != nil }

    /// Total number of non-zero terms over all constraints.
    public var termCount: Int { termWires.count }

    /// Bytes held by the constraint storage (terms, offsets, coefficient table), for memory reports.
    public var estimatedBytes: Int {
        termWires.count * 4 + termCoefficients.count * 4 + ends.count * 4 + coefficientTable.count * (32 + 48)
    }

    /// Reserves storage for about `constraints` constraints with `termsPerConstraint` terms each.
    public mutating func reserveCapacity(constraints: Int, termsPerConstraint: Int = 4) {
        termWires.reserveCapacity(constraints * termsPerConstraint)
        termCoefficients.reserveCapacity(constraints * termsPerConstraint)
        ends.reserveCapacity(constraints * 3)
    }
}

/// What the workers of ``ConstraintSystem/check(_:threads:)`` share: read-only system and witness, and
/// one result slot per worker (each writes only its own).
private struct CheckBox: @unchecked Sendable {
    let system: ConstraintSystem
    let witness: UnsafeBufferPointer<Fr>
    let slots: UnsafeMutableBufferPointer<Int>
}
