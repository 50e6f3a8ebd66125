#include "sshlibrary.h"

#include "sessioncache.h"

#include <libssh2.h>

namespace rd {

SshLibrary::SshLibrary() : m_ok(libssh2_init(0) == 0) {}

SshLibrary::~SshLibrary()
{
    // Kept connections say goodbye while the library still works.
    SessionCache::instance().clear();
    if (m_ok)
        libssh2_exit();
}

} // namespace rd
