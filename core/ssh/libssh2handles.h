#pragma once

#include <libssh2.h>
#include <libssh2_sftp.h>

#include <memory>

namespace rd {

// Owners for libssh2's C handles: each handle has exactly one owner and is freed by its own function.
template <auto Free>
struct Libssh2Deleter
{
    template <typename T>
    void operator()(T *handle) const
    {
        Free(handle);
    }
};

// In non-blocking mode libssh2's free functions return EAGAIN while the close handshake runs and
// then free nothing: they run in blocking mode with a short timeout instead.
inline void blockBriefly(LIBSSH2_SESSION *session)
{
    libssh2_session_set_timeout(session, 2000);
    libssh2_session_set_blocking(session, 1);
}

inline void freeSession(LIBSSH2_SESSION *session)
{
    blockBriefly(session);
    libssh2_session_disconnect(session, "ReleaseDesk closes the session");
    libssh2_session_free(session);
}

// Needs its session, so it has no default: a ChannelHandle cannot be made without one.
struct ChannelDeleter
{
    explicit ChannelDeleter(LIBSSH2_SESSION *owner) : session(owner) {}
    LIBSSH2_SESSION *session;
    void operator()(LIBSSH2_CHANNEL *channel) const
    {
        const int blocking = libssh2_session_get_blocking(session);
        const long timeout = libssh2_session_get_timeout(session);
        blockBriefly(session);
        libssh2_channel_free(channel);
        libssh2_session_set_blocking(session, blocking);
        libssh2_session_set_timeout(session, timeout);
    }
};

inline void freeAgent(LIBSSH2_AGENT *agent)
{
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
}

using SessionHandle = std::unique_ptr<LIBSSH2_SESSION, Libssh2Deleter<freeSession>>;
using ChannelHandle = std::unique_ptr<LIBSSH2_CHANNEL, ChannelDeleter>;
using AgentHandle = std::unique_ptr<LIBSSH2_AGENT, Libssh2Deleter<freeAgent>>;
using SftpHandle = std::unique_ptr<LIBSSH2_SFTP, Libssh2Deleter<libssh2_sftp_shutdown>>;
using SftpFileHandle = std::unique_ptr<LIBSSH2_SFTP_HANDLE, Libssh2Deleter<libssh2_sftp_close_handle>>;

} // namespace rd
