import Foundation
import ZKAlgebra
import ZKFormats
import ZKSodium

extension PhaseOne {
    // MARK: prepare phase 2

    /// snarkjs `powersoftau prepare phase2`: sections 1–7 copied, then 12–15 = for each domain size
    /// `2^p`, `p = 0 ... power`, the Lagrange basis at τ, `Lₖ(τ)·G = (1/N)·Σⱼ ω^(−jk)·τʲ·G` (an
    /// inverse FFT over group elements, ω the `2^p`-th root of unity of ``Domain``); section 12
    /// also for `p = power + 1`, from the `2^(p) − 1` τ-powers and a zero. Deterministic.
    public static func prepare(_ file: PowersOfTau, threads: Int = ceremonyDefaultThreads()) throws -> [UInt8] {
        let n = 1 << file.power
        guard file.power + 1 <= Domain.maxLogSize else { throw CeremonyError.unsupported("power \(file.power) is too large to prepare") }
        let tau1 = try loadG1(file, 2, count: 2 * n - 1, threads: threads)
        let tau2 = try loadG2(file, 3, count: n, threads: threads)
        let alpha = try loadG1(file, 4, count: n, threads: threads)
        let beta = try loadG1(file, 5, count: n, threads: threads)
        func lagrange<C: CurveParameters>(_ points: [AffinePoint<C>], extra: Bool) -> [UInt8] {
            var out: [UInt8] = []
            for p in 0...(file.power + (extra ? 1 : 0)) {
                let size = 1 << p
                var block = Array(points.prefix(size).map(\.jacobian))
                while block.count < size { block.append(.infinity) }
                let l = batchToAffine(groupInverseFFT(block, threads: threads))
                for q in l { appendLEM(q, &out) }
            }
            return out
        }
        let s12 = lagrange(tau1, extra: true), s13 = lagrange(tau2, extra: false)
        let s14 = lagrange(alpha, extra: false), s15 = lagrange(beta, extra: false)
        var sections: [(UInt32, [UInt8])] = [(1, header(power: file.power, ceremonyPower: file.ceremonyPower))]
        for s: UInt32 in 2...7 { sections.append((s, Array(file.bytes[file.range(s)]))) }
        sections += [(12, s12), (13, s13), (14, s14), (15, s15)]
        return BinContainer.write(magic: "ptau", version: 1, sections: sections)
    }

    static func appendLEM<C: CurveParameters>(_ p: AffinePoint<C>, _ out: inout [UInt8]) {
        if let q = p as? G1Affine { SnarkjsPoint.appendLEM(q, to: &out) } else if let q = p as? G2Affine { SnarkjsPoint.appendLEM(q, to: &out) }
    }

    /// `out[k] = (1/N)·Σⱼ ω^(−jk)·in[j]` over group elements (radix-2, natural order in and out).
    /// Each butterfly is one scalar multiplication by a root of unity; in G1 it uses the GLV
    /// endomorphism with each level's twiddles decomposed once.
    static func groupInverseFFT<C: CurveParameters>(_ input: [JacobianPoint<C>], threads: Int) -> [JacobianPoint<C>] {
        let n = input.count
        if n == 1 { return input }
        let logN = n.trailingZeroBitCount
        let domain = Domain(logSize: logN)!
        let isG1 = C.self == BN254G1.self
        @inline(__always) func times(_ p: JacobianPoint<C>, _ k: Fr, _ d: G1Endomorphism.Decomposition?) -> JacobianPoint<C> {
            if let d, let q = p as? G1 { return q.multiplied(by: d) as! JacobianPoint<C> }
            return p * k
        }
        var a = input
        // Bit-reversal permutation.
        for i in 0..<n {
            let j = Int(UInt32(i).bitReversedLow(bits: logN))
            if i < j { a.swapAt(i, j) }
        }
        var len = 2
        while len <= n {
            let half = len / 2
            // w_len^(-1) = ω^(−N/len)
            let step = domain.omegaInverse.power(UInt64(n / len))
            var twiddles = [Fr](repeating: .one, count: half)
            for k in 1..<max(half, 1) { twiddles[k] = twiddles[k - 1] * step }
            let decompositions: [G1Endomorphism.Decomposition]? = isG1 ? parallelMap(half, threads: threads) { G1Endomorphism.decompose(twiddles[$0]) } : nil
            let groups = n / len
            a.withUnsafeMutableBufferPointer { buf in
                let b = Unchecked(value: buf.baseAddress!)
                // Parallel over butterflies: groups × half independent pairs.
                forEachChunk(groups * half, threads: threads) { r in
                    for idx in r {
                        let g = idx / half, k = idx % half
                        let i = g * len + k, j = i + half
                        let u = b.value[i]
                        let v = k == 0 ? b.value[j] : times(b.value[j], twiddles[k], decompositions?[k])
                        b.value[i] = u + v
                        b.value[j] = u - v
                    }
                }
            }
            len *= 2
        }
        let inv = domain.sizeInverse
        let d = isG1 ? G1Endomorphism.decompose(inv) : nil
        return parallelMap(n, threads: threads) { times(a[$0], inv, d) }
    }
}

extension UInt32 {
    /// The low `bits` bits of `self` in reverse order.
    fileprivate func bitReversedLow(bits: Int) -> UInt32 { bits == 0 ? 0 : self.bitReverse() >> UInt32(32 - bits) }
    fileprivate func bitReverse() -> UInt32 {
        var v = self, r: UInt32 = 0
        for _ in 0..<32 { r = (r << 1) | (v & 1); v >>= 1 }
        return r
    }
}
