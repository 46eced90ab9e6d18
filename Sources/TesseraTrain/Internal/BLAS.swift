import CBLAS

/// The one place Tessera calls OpenBLAS.
///
/// `cblas_sgemm` reports no status (bad arguments abort inside OpenBLAS via `xerbla`), so the
/// checks that would otherwise be a C error are preconditions here, naming the C function.
enum BLAS {
  /// `C[m×n] = alpha · op(A) · op(B) + beta · C`, all row-major. The C function is `cblas_sgemm`.
  static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      // OpenBLAS handles k == 0, but only scaling C is meaningful; keep it explicit.
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
      return
    }
    precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n,
                 "cblas_sgemm: leading dimension too small")
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// Makes every `cblas_*` call run on its calling thread: Tessera parallelises over batch
  /// shards itself, one sync per step, which survives competing load far better than
  /// OpenBLAS's own fine-grained threading. The C function is `openblas_set_num_threads`.
  static func useCallerThreadOnly() {
    if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
  }

  /// The kernel family OpenBLAS picked for this CPU, e.g. "Haswell" or "SkylakeX".
  /// The C function is `openblas_get_corename`.
  static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// OpenBLAS's build description (version, threading). The C function is `openblas_get_config`.
  static var configuration: String {
    guard let text = openblas_get_config() else { return "unknown" }
    return String(cString: text)
  }
}
