#pragma once

namespace rd {

// libgit2 keeps process-wide state (TLS, the SSL and SSH back ends): main() initialises it once
// before any thread uses it; tests hold one as a member of the test class.
class GitLibrary
{
public:
    GitLibrary();
    ~GitLibrary();
    GitLibrary(const GitLibrary &) = delete;
    GitLibrary &operator=(const GitLibrary &) = delete;

    bool ok() const { return m_ok; }

private:
    bool m_ok = false;
};

} // namespace rd
