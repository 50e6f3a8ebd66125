#pragma once

namespace rd {

// libssh2_init must run once per process before any thread uses libssh2: main() holds one of these.
class SshLibrary
{
public:
    SshLibrary();
    ~SshLibrary();
    SshLibrary(const SshLibrary &) = delete;
    SshLibrary &operator=(const SshLibrary &) = delete;

    bool ok() const { return m_ok; }

private:
    bool m_ok = false;
};

} // namespace rd
