import XCTest
import ZKAlgebra
import ZKCircuit
import ZKConstraints
import ZKGroth16

/// Circuits written with the builder's gadgets go through setup → prove → verify.
final class CircuitBuilderGroth16Tests: XCTestCase {
    /// Claim: "I know a private x < 2^16 with x·(x+1) = y, and [x < 1000] = flag" for public y and flag.
    func build(x: UInt64) -> (ConstraintSystem, [Fr], [Fr]) {
        let b = CircuitBuilder()
        let xv = b.privateInput(Fr(x), name: "x")
        let y = b.mul(xv, xv + Fr.one)
        b.rangeCheck(xv, bits: 16)
        let flag = b.lessThan(xv, LinearExpression.constant(Fr(1000)), bits: 16)
        let yPublic = b.publicInput(b.value(of: y), name: "y")
        let flagPublic = b.publicInput(b.value(of: flag), name: "flag")
        b.assertEqual(y, yPublic)
        b.assertEqual(flag, flagPublic)
        let built = b.build()
        return (built.system, built.witness, built.publicValues)
    }

    func testBuilderCircuitProves() throws {
        let (system, witness, publics) = build(x: 777)
        try system.check(witness)
        XCTAssertEqual(publics, [Fr(777 * 778), Fr.one])
        let pk = try Groth16.setup(system)
        let proof = try Groth16.prove(pk, witness: witness)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: publics))
        XCTAssertFalse(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: [publics[0], Fr.zero]))
        // Same circuit shape for another x: the key is reusable.
        let (system2, witness2, publics2) = build(x: 5000)
        XCTAssertEqual(system2.constraintCount, system.constraintCount)
        XCTAssertEqual(publics2[1], Fr.zero)
        let proof2 = try Groth16.prove(pk, witness: witness2)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof2, publicInputs: publics2))
    }
}
