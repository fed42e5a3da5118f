import XCTest
import ZKBigNum

final class BigNumTests: XCTestCase {
    func testParsingAndPrinting() {
        let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617"
        XCTAssertEqual(BigNum(r)?.description, r)
        XCTAssertEqual(BigNum("-42")?.description, "-42")
        XCTAssertEqual(BigNum(hex: "0xff")?.description, "255")
        XCTAssertEqual(BigNum(hex: "FF")?.toString(radix: 16), "ff")
        XCTAssertNil(BigNum(""))
        XCTAssertNil(BigNum("-"))
        XCTAssertNil(BigNum("12a"))
        XCTAssertNil(BigNum(" 12"))
        XCTAssertNil(BigNum("1 2"))
        XCTAssertNil(BigNum("1", radix: 1))
        XCTAssertEqual(BigNum("0")?.isZero, true)
    }

    func testArithmeticMatchesMachineIntegers() {
        var state: UInt64 = 12345
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(truncatingIfNeeded: state >> 34) - (1 << 29) }
        for _ in 0..<2000 {
            let a = next(), b = next()
            let x = BigNum(a), y = BigNum(b)
            XCTAssertEqual((x + y).intValue, a + b)
            XCTAssertEqual((x - y).intValue, a - b)
            XCTAssertEqual((x * y).intValue, a * b)
            if b != 0 {
                XCTAssertEqual((x / y).intValue, a / b)
                XCTAssertEqual((x % y).intValue, a % b)
                let m = x.mod(y).intValue!
                XCTAssertTrue(m >= 0 && m < abs(b))
                XCTAssertEqual(((a % b) + abs(b)) % abs(b), m)
            }
            XCTAssertEqual(x < y, a < b)
            XCTAssertEqual(x == y, a == b)
            XCTAssertEqual((-x).intValue, -a)
        }
    }

    func testModularOperations() {
        let p = BigNum("21888242871839275222246405745257275088696311157297823662689037894645226208583")!
        let a = BigNum("123456789123456789123456789")!
        let inv = a.inverse(modulus: p)!
        XCTAssertEqual((a * inv).mod(p), BigNum(1))
        XCTAssertEqual(a.power(p - BigNum(1), modulus: p), BigNum(1))
        XCTAssertNil(BigNum(6).inverse(modulus: BigNum(9)))
        XCTAssertEqual(BigNum.gcd(BigNum(12), BigNum(18)), BigNum(6))
        XCTAssertEqual(BigNum(2).power(10), BigNum(1024))
        XCTAssertEqual(BigNum(5) << 3, BigNum(40))
        XCTAssertEqual(BigNum(41) >> 3, BigNum(5))
        XCTAssertEqual(BigNum(-41) >> 3, BigNum(-6))  // floor division
        XCTAssertTrue(p.isProbablePrime())
        XCTAssertEqual(BigNum(4).legendre(p), 1)
        XCTAssertEqual(p.bitWidth, 254)
        XCTAssertEqual(BigNum(0).bitWidth, 0)
    }

    func testByteConversions() {
        let x = BigNum(hex: "0102030405060708090a")!
        XCTAssertEqual(x.bigEndianBytes(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        XCTAssertEqual(x.bigEndianBytes(count: 12), [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        XCTAssertNil(x.bigEndianBytes(count: 9))
        XCTAssertEqual(x.littleEndianBytes(count: 10), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
        XCTAssertEqual(BigNum(bigEndian: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), x)
        XCTAssertEqual(BigNum(littleEndian: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), x)
        XCTAssertEqual(BigNum(bigEndian: [UInt8]()), BigNum(0))
        XCTAssertEqual(BigNum(0).bigEndianBytes(count: 2), [0, 0])
        XCTAssertEqual(BigNum(limbs: [1, 2]), BigNum(2) << 64 + BigNum(1))
        XCTAssertEqual(BigNum(limbs: [1, 2]).limbs(count: 3), [1, 2, 0])
        XCTAssertNil((BigNum(1) << 200).limbs(count: 3))
    }

    func testValueSemantics() {
        var a = BigNum(5)
        let b = a
        a.negate()
        XCTAssertEqual(a, BigNum(-5))
        XCTAssertEqual(b, BigNum(5))
    }

    func testMPNMontgomeryMatchesMpz() {
        let q = BigNum("21888242871839275222246405745257275088696311157297823662689037894645226208583")!
        let mont = MPNMontgomery4(modulus: q.limbs(count: 4)!)
        let rInv = (BigNum(1) << 256).inverse(modulus: q)!
        var state: UInt64 = 99
        func limb() -> UInt64 { state = state &* 6364136223846793005 &+ 1; return state }
        for _ in 0..<2000 {
            let a = BigNum(limbs: [limb(), limb(), limb(), limb()]).mod(q)
            let b = BigNum(limbs: [limb(), limb(), limb(), limb()]).mod(q)
            let got = BigNum(limbs: mont.multiply(a.limbs(count: 4)!, b.limbs(count: 4)!))
            XCTAssertEqual(got, (a * b * rInv).mod(q))
        }
    }
}
