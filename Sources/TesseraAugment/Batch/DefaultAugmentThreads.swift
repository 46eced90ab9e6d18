#if canImport(Glibc)
import Glibc
#endif

/// Number of worker threads batch augmentation uses by default: the machine's active processors.
public let defaultAugmentThreads: Int = {
  #if canImport(Glibc)
  return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  #else
  return 2
  #endif
}()


