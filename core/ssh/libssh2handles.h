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

inline void freeSession(LIBSSH2_SESSION *session)
{
    libssh2_session_disconnect(session, "ReleaseDesk closes the session");
    libssh2_session_free(session);
}

inline void freeAgent(LIBSSH2_AGENT *agent)
{
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
}

using SessionHandle = std::unique_ptr<LIBSSH2_SESSION, Libssh2Deleter<freeSession>>;
using ChannelHandle = std::unique_ptr<LIBSSH2_CHANNEL, Libssh2Deleter<libssh2_channel_free>>;
using AgentHandle = std::unique_ptr<LIBSSH2_AGENT, Libssh2Deleter<freeAgent>>;
using SftpHandle = std::unique_ptr<LIBSSH2_SFTP, Libssh2Deleter<libssh2_sftp_shutdown>>;
using SftpFileHandle = std::unique_ptr<LIBSSH2_SFTP_HANDLE, Libssh2Deleter<libssh2_sftp_close_handle>>;

} // namespace rd
