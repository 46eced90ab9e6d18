#pragma once
#include <git2.h>
/* Bulk writes: objects of one commit are queued in memory and written as one pack. */
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
