import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The one place Tessera calls OpenBLAS.
///
/// OpenBLAS is loaded (`dlopen`) when first needed instead of linked: linked, it was the biggest library every
/// `tessera` process loaded at start — 16,000 of its 35,000 symbol relocations, and a thread pool — for
/// commands such as `status` and `add` that never multiply a matrix. Loaded later, it can also be told which
/// kernels to use (`OPENBLAS_CORETYPE`, which it reads once, as it loads) without restarting the process.
///
/// `cblas_sgemm` reports no status (bad arguments abort inside OpenBLAS via `xerbla`), so the
/// checks that would otherwise be a C error are preconditions here, naming the C function.
enum BLAS {
  /// The library file, by its soname (Debian's `libopenblas0`, the 32-bit-integer interface the header declares).
  static let libraryName = "libopenblas.so.0"

  /// The functions Tessera calls, typed by the CBLAS header.
  struct Library: @unchecked Sendable {
    typealias SGEMM = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, Float,
                                      UnsafePointer<Float>?, blasint, UnsafePointer<Float>?, blasint, Float,
                                      UnsafeMutablePointer<Float>?, blasint) -> Void
    let sgemm: SGEMM
    let getNumThreads: @convention(c) () -> Int32
    let setNumThreads: @convention(c) (Int32) -> Void
    let getCorename: @convention(c) () -> UnsafeMutablePointer<CChar>?
    let getConfig: @convention(c) () -> UnsafeMutablePointer<CChar>?
  }

  /// Loaded once, on first use, by whichever thread gets there first.
  private static let loaded: Result<Library, BLASLoadError> = load()

  /// OpenBLAS, loading it if this is the first call. Load it before starting threads of your own: choosing its
  /// kernels sets `OPENBLAS_CORETYPE` in the environment (`BLASRuntime.coreTypeToRequest`).
  static func library() throws -> Library { try loaded.get() }

  private static func load() -> Result<Library, BLASLoadError> {
    if let coreType = BLASRuntime.coreTypeToRequest() { setenv("OPENBLAS_CORETYPE", coreType, 1) }
    guard let handle = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
      return .failure(BLASLoadError("dlopen \(libraryName) failed: \(reason); install OpenBLAS (apt-get install libopenblas0)"))
    }
    func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
      guard let address = dlsym(handle, name) else {
        throw BLASLoadError("dlsym \(name) failed: \(libraryName) does not define it (an OpenBLAS older than 0.3?)")
      }
      return unsafeBitCast(address, to: type)
    }
    do {
      return .success(Library(
        sgemm: try symbol("cblas_sgemm", Library.SGEMM.self),
        getNumThreads: try symbol("openblas_get_num_threads", (@convention(c) () -> Int32).self),
        setNumThreads: try symbol("openblas_set_num_threads", (@convention(c) (Int32) -> Void).self),
        getCorename: try symbol("openblas_get_corename", (@convention(c) () -> UnsafeMutablePointer<CChar>?).self),
        getConfig: try symbol("openblas_get_config", (@convention(c) () -> UnsafeMutablePointer<CChar>?).self)))
    } catch {
      return .failure(error as! BLASLoadError)
    }
  }

  /// The loaded library, for the multiplications themselves: every path to them (`Trainer.init`,
  /// `SGEMMPeak.measure`) loads it first, and reports there when it cannot.
  private static var loadedLibrary: Library {
    switch loaded {
    case .success(let library): return library
    case .failure(let error): preconditionFailure("cblas_sgemm: \(error)")
    }
  }

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
    loadedLibrary.sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }

  /// Loads OpenBLAS and makes every `cblas_*` call run on its calling thread: Tessera parallelises over batch
  /// shards itself, one sync per step, which survives competing load far better than
  /// OpenBLAS's own fine-grained threading. The C function is `openblas_set_num_threads`.
  static func useCallerThreadOnly() throws {
    let library = try library()
    if library.getNumThreads() != 1 { library.setNumThreads(1) }
  }

  /// The kernel family OpenBLAS picked for this CPU, e.g. "Haswell" or "SkylakeX" (loading it if need be).
  /// The C function is `openblas_get_corename`.
  static var coreName: String {
    guard let library = try? library() else { return "unavailable" }
    guard let name = library.getCorename() else { return "unknown" }
    return String(cString: name)
  }

  /// OpenBLAS's build description (version, threading). The C function is `openblas_get_config`.
  static var configuration: String {
    guard let library = try? library() else { return "unavailable" }
    guard let text = library.getConfig() else { return "unknown" }
    return String(cString: text)
  }
}

/// OpenBLAS could not be loaded: the message names the call that failed and why.
public struct BLASLoadError: Error, CustomStringConvertible, Sendable {
  public let description: String
  init(_ description: String) { self.description = description }
}
