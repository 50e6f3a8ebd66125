#include "git/localuploadpack.h"

#include <QByteArray>
#include <QFile>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace rd {
namespace {

class FileDescriptor
{
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    ~FileDescriptor() { reset(); }

    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }
    void reset(int fd = -1)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

struct SpawnActions
{
    posix_spawn_file_actions_t actions;
    SpawnActions() { posix_spawn_file_actions_init(&actions); }
    SpawnActions(const SpawnActions &) = delete;
    SpawnActions &operator=(const SpawnActions &) = delete;
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

int osError(const char *what)
{
    const QByteArray message = QByteArray(what) + ": " + std::strerror(errno);
    git_error_set_str(GIT_ERROR_OS, message.constData());
    return -1;
}

// One upload-pack process. Its stdin and stdout are one end of a socket pair, as under git-daemon:
// send() with MSG_NOSIGNAL turns a process that died into an error instead of SIGPIPE in ours.
// Its stderr is a pipe, read for the reason when it ends early.
struct UploadPackStream
{
    git_smart_subtransport_stream parent{}; // first member: libgit2 hands back a pointer to it
    pid_t pid = -1;
    FileDescriptor socket;
    FileDescriptor errors;

    UploadPackStream() = default;
    UploadPackStream(const UploadPackStream &) = delete;
    UploadPackStream &operator=(const UploadPackStream &) = delete;
    ~UploadPackStream()
    {
        socket.reset();
        if (pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == 0) {
            // Still running: the fetch was cancelled or failed half way.
            ::kill(pid, SIGTERM);
            while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }

    // What the process wrote to stderr before it closed it (bounded wait: it is ending).
    QByteArray errorOutput() const
    {
        QByteArray text;
        char chunk[4096];
        pollfd ready{errors.get(), POLLIN, 0};
        while (text.size() < 65536 && ::poll(&ready, 1, 2000) > 0) {
            const ssize_t got = ::read(errors.get(), chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break;
            text.append(chunk, got);
        }
        return text.trimmed();
    }
};

struct UploadPackSubtransport
{
    git_smart_subtransport parent{}; // first member, as above
    QByteArray program;
    QByteArray repository;
    UploadPackStream *stream = nullptr; // owned by libgit2 between action() and its free()
};

int readStream(git_smart_subtransport_stream *base, char *buffer, size_t size, size_t *bytesRead)
{
    auto *stream = reinterpret_cast<UploadPackStream *>(base);
    *bytesRead = 0;
    for (;;) {
        const ssize_t got = ::recv(stream->socket.get(), buffer, size, 0);
        if (got > 0) {
            *bytesRead = size_t(got);
            return 0;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return osError("reading from git upload-pack");
        // The process closed its output: its own words say why, when it has any.
        const QByteArray reason = stream->errorOutput();
        if (reason.isEmpty())
            return 0;
        git_error_set_str(GIT_ERROR_NET, reason.constData());
        return -1;
    }
}

int writeStream(git_smart_subtransport_stream *base, const char *buffer, size_t length)
{
    auto *stream = reinterpret_cast<UploadPackStream *>(base);
    while (length > 0) {
        const ssize_t sent = ::send(stream->socket.get(), buffer, length, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0)
            return osError("writing to git upload-pack");
        buffer += sent;
        length -= size_t(sent);
    }
    return 0;
}

void freeStream(git_smart_subtransport_stream *base)
{
    auto *stream = reinterpret_cast<UploadPackStream *>(base);
    reinterpret_cast<UploadPackSubtransport *>(base->subtransport)->stream = nullptr;
    delete stream;
}

// The environment without GIT_* variables: no GIT_DIR of ours, no GIT_PROTOCOL asking for version 2
// (libgit2 speaks version 0).
std::vector<char *> childEnvironment()
{
    std::vector<char *> variables;
    for (char **entry = environ; *entry; ++entry)
        if (std::strncmp(*entry, "GIT_", 4) != 0)
            variables.push_back(*entry);
    variables.push_back(nullptr);
    return variables;
}

int startUploadPack(UploadPackSubtransport *transport, git_smart_subtransport_stream **out)
{
    int sockets[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0)
        return osError("could not start git upload-pack");
    FileDescriptor ours(sockets[0]);
    FileDescriptor theirs(sockets[1]);
    int errorPipe[2];
    if (::pipe2(errorPipe, O_CLOEXEC) != 0)
        return osError("could not start git upload-pack");
    FileDescriptor errorsRead(errorPipe[0]);
    FileDescriptor errorsWrite(errorPipe[1]);

    SpawnActions spawn;
    posix_spawn_file_actions_adddup2(&spawn.actions, theirs.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&spawn.actions, theirs.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&spawn.actions, errorsWrite.get(), STDERR_FILENO);
    char subcommand[] = "upload-pack";
    char *arguments[] = {transport->program.data(), subcommand, transport->repository.data(), nullptr};
    std::vector<char *> environment = childEnvironment();
    pid_t pid = -1;
    if (const int failed = posix_spawn(&pid, transport->program.constData(), &spawn.actions, nullptr,
                                       arguments, environment.data())) {
        errno = failed;
        return osError("could not start git upload-pack");
    }

    auto *stream = new UploadPackStream;
    stream->parent.subtransport = &transport->parent;
    stream->parent.read = readStream;
    stream->parent.write = writeStream;
    stream->parent.free = freeStream;
    stream->pid = pid;
    // The stream owns our ends; the child's ends close with this scope.
    stream->socket.reset(ours.release());
    stream->errors.reset(errorsRead.release());
    transport->stream = stream;
    *out = &stream->parent;
    return 0;
}

int action(git_smart_subtransport_stream **out, git_smart_subtransport *base, const char *,
           git_smart_service_t service)
{
    auto *transport = reinterpret_cast<UploadPackSubtransport *>(base);
    switch (service) {
    case GIT_SERVICE_UPLOADPACK_LS:
        return startUploadPack(transport, out);
    case GIT_SERVICE_UPLOADPACK:
        // A stateful protocol: the negotiation continues on the process that listed the refs.
        if (!transport->stream) {
            git_error_set_str(GIT_ERROR_NET, "git upload-pack is not running");
            return -1;
        }
        *out = &transport->stream->parent;
        return 0;
    default:
        git_error_set_str(GIT_ERROR_NET, "ReleaseDesk only fetches from local repositories");
        return -1;
    }
}

int closeSubtransport(git_smart_subtransport *)
{
    return 0; // libgit2 frees the stream (and with it the process) before it closes
}

void freeSubtransport(git_smart_subtransport *base)
{
    delete reinterpret_cast<UploadPackSubtransport *>(base);
}

} // namespace

QString LocalUploadPack::gitProgram()
{
    return QStandardPaths::findExecutable(QStringLiteral("git"));
}

LocalUploadPack::LocalUploadPack(QString gitProgram, QString repositoryPath)
    : m_gitProgram(std::move(gitProgram)), m_repositoryPath(std::move(repositoryPath)),
      m_definition{createSubtransport, 0, this}
{
}

int LocalUploadPack::createTransport(git_transport **out, git_remote *owner)
{
    return git_transport_smart(out, owner, &m_definition);
}

int LocalUploadPack::createSubtransport(git_smart_subtransport **out, git_transport *, void *param)
{
    const auto *self = static_cast<const LocalUploadPack *>(param);
    auto *transport = new UploadPackSubtransport;
    transport->parent.action = action;
    transport->parent.close = closeSubtransport;
    transport->parent.free = freeSubtransport;
    transport->program = QFile::encodeName(self->m_gitProgram);
    transport->repository = QFile::encodeName(self->m_repositoryPath);
    *out = &transport->parent;
    return 0;
}

} // namespace rd
