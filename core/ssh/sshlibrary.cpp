#include "sshlibrary.h"

#include <libssh2.h>

namespace rd {

SshLibrary::SshLibrary() : m_ok(libssh2_init(0) == 0) {}

SshLibrary::~SshLibrary()
{
    if (m_ok)
        libssh2_exit();
}

} // namespace rd
