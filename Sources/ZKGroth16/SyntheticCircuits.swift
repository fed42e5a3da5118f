import ZKAlgebra
import ZKConstraints

/// Synthetic circuits for tests and benchmarks.
public enum SyntheticCircuits {
    /// The square chain `x_{i+1} = x_i² + x_0` with `count` multiplication constraints and
    /// full-width witness values. Public inputs: `x_count` (the output) then `x_0`, or only the
    /// first `publicCount` of those (0, 1 or 2).
    public static func squareChain(count: Int, x0: Fr = Fr(3), publicCount: Int = 2) -> (system: ConstraintSystem, witness: [Fr]) {
        precondition(count >= 1 && (0...2).contains(publicCount))
        // Wires: 0 one, publics, then privates. Chain values x_0 ... x_count.
        var values = [x0]
        values.reserveCapacity(count + 1)
        for _ in 0..<count { let x = values[values.count - 1]; values.append(x * x + x0) }
        var system = ConstraintSystem(publicCount: publicCount, privateCount: 0)
        system.reserveCapacity(constraints: count)
        // Wire of x_i: publics first (x_count, x_0), then the remaining chain values in order.
        var wireOf = [Int](repeating: -1, count: count + 1)
        var witness = [Fr.one]
        if publicCount >= 1 { wireOf[count] = 1; witness.append(values[count]) }
        if publicCount >= 2 { wireOf[0] = 2; witness.append(values[0]) }
        let first = system.addPrivateWires((0...count).filter { wireOf[$0] < 0 }.count)
        var next = first
        for i in 0...count where wireOf[i] < 0 { wireOf[i] = next; next += 1; witness.append(values[i]) }
        for i in 0..<count {
            let xi = LinearCombination.wire(wireOf[i])
            system.addConstraint(xi, xi, .wire(wireOf[i + 1]) - .wire(wireOf[0]), label: "x\(i + 1) = x\(i)² + x0")
        }
        return (system, witness)
    }
}
