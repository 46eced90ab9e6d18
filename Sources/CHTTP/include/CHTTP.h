#ifndef CHTTP_H
#define CHTTP_H

#include <stddef.h>

/// Bytes received: grown with realloc, freed by chttp_result_free.
typedef struct chttp_buffer {
  char *data;
  size_t count;
  size_t capacity;
} chttp_buffer;

/// What one request got back. `status` is 0 when no HTTP response arrived; then `message` says why.
typedef struct chttp_result {
  long status;
  /// The final response's header lines, as received ("Name: value\r\n" ...).
  chttp_buffer headers;
  chttp_buffer body;
  /// libcurl's CURLcode (0: a response arrived) and its message, naming the C function that failed.
  int code;
  char message[512];
} chttp_result;

/// Loads libcurl (`dlopen`, once per process). 0 on success; otherwise -1 and `message` says why.
int chttp_load(char *message, size_t message_size);

/// A connection-keeping request handle (a curl easy handle), for one thread at a time. NULL when libcurl is not
/// loaded or cannot make one.
void *chttp_handle_create(void);
void chttp_handle_destroy(void *handle);

/// Sends one request and waits for the whole response. `headers` are "Name: value" lines sent as given (and
/// nothing else that could change what was signed: no form content type, no `Expect: 100-continue`). A body
/// (even an empty one) is sent with its length; NULL sends none. A HEAD request reads no body. Redirects are not
/// followed. `idle_timeout_seconds` aborts a transfer that moved no byte for that long.
/// Returns the result's `code`.
int chttp_perform(void *handle, const char *method, const char *url, const char *const *headers, size_t header_count,
                  const void *body, size_t body_length, long connect_timeout_seconds, long idle_timeout_seconds,
                  chttp_result *result);

void chttp_result_free(chttp_result *result);

#endif
