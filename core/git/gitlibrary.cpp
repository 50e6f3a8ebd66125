#include "gitlibrary.h"

#include <git2/global.h>

namespace rd {

// git_libgit2_init counts its callers, so nested holders are harmless.
GitLibrary::GitLibrary() : m_ok(git_libgit2_init() > 0) {}

GitLibrary::~GitLibrary()
{
    if (m_ok)
        git_libgit2_shutdown();
}

} // namespace rd
