#include "connectioncheck.h"

#include "inventory/server.h"
#include "ssh/sshpool.h"
#include "ssh/sshsession.h"
#include "ssh/sshtargetfactory.h"
#include "workspace.h"

namespace rd {

namespace {

constexpr int CommandTimeoutMs = 30000;

} // namespace

ConnectionCheck::ConnectionCheck(Workspace &workspace, HostKeyPrompt prompt, Limits limits, QObject *parent)
    : QObject(parent), m_workspace(workspace), m_limits(limits),
      m_pool(std::make_unique<SshPool>(workspace.knownHosts(), std::move(prompt), limits.parallelism,
                                       limits.connectionsPerSecond))
{
    connect(m_pool.get(), &SshPool::connected, this, &ConnectionCheck::connected);
    connect(m_pool.get(), &SshPool::jobFinished, this,
            [this](int, const QString &server, bool ok, const QString &message, const QString &hint) {
                answer(server, ok, message, hint);
            });
    connect(m_pool.get(), &SshPool::idle, this, &ConnectionCheck::onIdle);
}

ConnectionCheck::~ConnectionCheck() = default;

void ConnectionCheck::start(const QList<Server> &servers)
{
    m_running = true;
    for (const Server &server : servers) {
        auto target = SshTargetFactory::forServer(m_workspace.store(), &m_workspace.vault(), server);
        if (!target) {
            emit serverFinished(server.name, false, target.error().message, target.error().hint, -1);
            continue;
        }
        target->connectTimeoutMs = m_limits.connectTimeoutMs;
        m_pending[server.name].start();
        m_pool->addServer(std::move(*target));
        m_pool->enqueue(server.name, [](SshSession &session, const SshJobContext &context) -> Result<> {
            ExecOptions options;
            options.cancel = context.cancel;
            options.timeoutMs = CommandTimeoutMs;
            auto result = session.exec(QStringLiteral("true"), options);
            if (!result)
                return std::unexpected(result.error());
            if (!result->succeeded())
                return fail(tr("`true` did not succeed (exit %1).").arg(result->exitStatus),
                            tr("Sign in with ssh by hand and check the account's shell."));
            return {};
        });
    }
    m_pool->finishAll();
    if (m_pool->isIdle())
        onIdle();
}

void ConnectionCheck::cancel()
{
    if (m_running)
        m_pool->cancel();
}

void ConnectionCheck::answer(const QString &server, bool ok, const QString &message, const QString &hint)
{
    const auto clock = m_pending.constFind(server);
    if (clock == m_pending.cend())
        return;
    const double seconds = clock->elapsed() / 1000.0;
    m_pending.erase(clock);
    emit serverFinished(server, ok, message, hint, seconds);
}

void ConnectionCheck::onIdle()
{
    if (!m_running)
        return;
    // Whatever the pool never answered for (stopped before it ran) is not left waiting.
    const QStringList unanswered = m_pending.keys();
    for (const QString &server : unanswered)
        answer(server, false, tr("Stopped before the check ran."), {});
    m_running = false;
    emit finished();
}

} // namespace rd
