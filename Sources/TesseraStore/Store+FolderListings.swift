extension Store {
  var folderListingsPath: String { meta + "/listings" }

  /// Records what a scan listed. A scan of the whole root replaces the file (so folders since deleted go);
  /// any other adds to it. Failing to write a cache is no error: `status` then lists those folders again.
  func rememberListings(_ listings: [String: FolderListings.Listing], wholeRoot: Bool) {
    let existing = FolderListings.load(folderListingsPath)
    var cache = wholeRoot ? FolderListings() : existing
    cache.byFolder.merge(listings) { _, new in new }
    guard cache != existing else { return }
    try? cache.write(folderListingsPath)
  }
}
