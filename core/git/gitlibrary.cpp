#include "gitlibrary.h"

#include <git2/common.h>
#include <git2/global.h>

namespace rd {

// git_libgit2_init counts its callers, so nested holders are harmless.
GitLibrary::GitLibrary() : m_ok(git_libgit2_init() > 0)
{
    // Packs are read through mapped windows, by default up to 8 GiB of them: a 400 MB file was then
    // in memory twice, mapped and inflated. Small windows, few of them, keep one copy.
    if (m_ok) {
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, size_t(32) << 20);
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, size_t(128) << 20);
    }
}

GitLibrary::~GitLibrary()
{
    if (m_ok)
        git_libgit2_shutdown();
}

} // namespace rd
