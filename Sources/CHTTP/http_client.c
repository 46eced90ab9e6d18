// libcurl, loaded when the first request is made rather than linked: linked (as URLSession linked it), libcurl and
// the thirty libraries it pulls in (TLS, Kerberos, LDAP, ...) cost every `tessera` process about 7 ms to load,
// though only remote commands make a request. Its header gives the types; nothing here links against it.
#include "CHTTP.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct {
  __typeof__(curl_global_init) *global_init;
  __typeof__(curl_easy_init) *easy_init;
  __typeof__(curl_easy_cleanup) *easy_cleanup;
  __typeof__(curl_easy_reset) *easy_reset;
  __typeof__(curl_easy_setopt) *easy_setopt;
  __typeof__(curl_easy_perform) *easy_perform;
  __typeof__(curl_easy_getinfo) *easy_getinfo;
  __typeof__(curl_easy_strerror) *easy_strerror;
  __typeof__(curl_slist_append) *slist_append;
  __typeof__(curl_slist_free_all) *slist_free_all;
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded = 0;

static void load_curl(void) {
  // Debian's libcurl4 (OpenSSL) first, then the GnuTLS build some systems have instead; same ABI.
  static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
  void *library = NULL;
  const char *reason = "not found";
  for (size_t i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
    library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL && i == 0) {
      const char *text = dlerror();
      snprintf(load_error, sizeof load_error, "dlopen libcurl.so.4 failed: %s; install libcurl (apt-get install libcurl4)",
               text ? text : reason);
    }
  }
  if (library == NULL) return;
#define SYMBOL(field, name)                                                                                         \
  if ((curl.field = (__typeof__(curl.field))dlsym(library, name)) == NULL) {                                        \
    snprintf(load_error, sizeof load_error, "dlsym %s failed: the loaded libcurl does not define it", name);         \
    return;                                                                                                         \
  }
  SYMBOL(global_init, "curl_global_init")
  SYMBOL(easy_init, "curl_easy_init")
  SYMBOL(easy_cleanup, "curl_easy_cleanup")
  SYMBOL(easy_reset, "curl_easy_reset")
  SYMBOL(easy_setopt, "curl_easy_setopt")
  SYMBOL(easy_perform, "curl_easy_perform")
  SYMBOL(easy_getinfo, "curl_easy_getinfo")
  SYMBOL(easy_strerror, "curl_easy_strerror")
  SYMBOL(slist_append, "curl_slist_append")
  SYMBOL(slist_free_all, "curl_slist_free_all")
#undef SYMBOL
  // Not thread-safe in older libcurl: done here, once, before any handle exists.
  CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    snprintf(load_error, sizeof load_error, "curl_global_init failed: %s", curl.easy_strerror(code));
    return;
  }
  loaded = 1;
}

int chttp_load(char *message, size_t message_size) {
  pthread_once(&load_once, load_curl);
  if (loaded) return 0;
  if (message != NULL && message_size > 0) snprintf(message, message_size, "%s", load_error);
  return -1;
}

void *chttp_handle_create(void) {
  if (chttp_load(NULL, 0) != 0) return NULL;
  return curl.easy_init();
}

void chttp_handle_destroy(void *handle) {
  if (handle != NULL && loaded) curl.easy_cleanup(handle);
}

static int append(chttp_buffer *buffer, const char *bytes, size_t count) {
  if (buffer->count + count > buffer->capacity) {
    size_t capacity = buffer->capacity ? buffer->capacity : 16384;
    while (capacity < buffer->count + count) capacity *= 2;
    char *grown = realloc(buffer->data, capacity);
    if (grown == NULL) return -1;
    buffer->data = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->count, bytes, count);
  buffer->count += count;
  return 0;
}

static size_t on_body(char *bytes, size_t size, size_t count, void *context) {
  chttp_result *result = context;
  return append(&result->body, bytes, size * count) == 0 ? size * count : 0;  // 0 aborts: out of memory
}

static size_t on_header(char *bytes, size_t size, size_t count, void *context) {
  chttp_result *result = context;
  // A status line starts another response (after `100 Continue`): keep only the last one's headers.
  if (size * count >= 5 && memcmp(bytes, "HTTP/", 5) == 0) result->headers.count = 0;
  return append(&result->headers, bytes, size * count) == 0 ? size * count : 0;
}

static int has_header(const char *const *headers, size_t count, const char *name) {
  size_t length = strlen(name);
  for (size_t i = 0; i < count; i++) {
    if (strncasecmp(headers[i], name, length) == 0 && headers[i][length] == ':') return 1;
  }
  return 0;
}

int chttp_perform(void *handle, const char *method, const char *url, const char *const *headers, size_t header_count,
                  const void *body, size_t body_length, long connect_timeout_seconds, long idle_timeout_seconds,
                  chttp_result *result) {
  memset(result, 0, sizeof *result);
  char error[CURL_ERROR_SIZE] = {0};
  if (chttp_load(result->message, sizeof result->message) != 0 || handle == NULL) {
    result->code = CURLE_FAILED_INIT;
    if (handle == NULL && loaded) snprintf(result->message, sizeof result->message, "curl_easy_init failed");
    return result->code;
  }
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < header_count; i++) list = curl.slist_append(list, headers[i]);
  // An empty value removes a header libcurl would add by itself.
  if (body != NULL && !has_header(headers, header_count, "Content-Type")) list = curl.slist_append(list, "Content-Type:");
  if (!has_header(headers, header_count, "Expect")) list = curl.slist_append(list, "Expect:");

  curl.easy_reset(handle);  // keeps the open connections
  curl.easy_setopt(handle, CURLOPT_URL, url);
  curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // many threads; no SIGALRM for timeouts
  curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl.easy_setopt(handle, CURLOPT_HTTPHEADER, list);
  curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl.easy_setopt(handle, CURLOPT_WRITEDATA, result);
  curl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl.easy_setopt(handle, CURLOPT_HEADERDATA, result);
  curl.easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, connect_timeout_seconds);
  curl.easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl.easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, idle_timeout_seconds);
  if (strcmp(method, "HEAD") == 0) {
    curl.easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (strcmp(method, "GET") != 0 || body != NULL) {
    if (body != NULL) {
      curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
      curl.easy_setopt(handle, CURLOPT_POSTFIELDS, body_length > 0 ? body : "");
    }
    curl.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method);
  }

  CURLcode code = curl.easy_perform(handle);
  curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, NULL);  // `error` is about to go out of scope
  curl.easy_setopt(handle, CURLOPT_HTTPHEADER, NULL);
  curl.slist_free_all(list);
  result->code = code;
  if (code == CURLE_OK) {
    curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result->status);
  } else {
    snprintf(result->message, sizeof result->message, "curl_easy_perform: %s", error[0] ? error : curl.easy_strerror(code));
  }
  return code;
}

void chttp_result_free(chttp_result *result) {
  free(result->headers.data);
  free(result->body.data);
  memset(&result->headers, 0, sizeof result->headers);
  memset(&result->body, 0, sizeof result->body);
}
