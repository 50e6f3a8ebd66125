#include "fleetsurvey.h"

#include "ssh/sshsession.h"

namespace rd {

FleetSurvey::FleetSurvey(KnownHosts &knownHosts, QString deployRoot, int parallelism, QObject *parent)
    : QObject(parent), m_deployRoot(std::move(deployRoot)),
      // Reading changes nothing, and neither does meeting a new host key: it is refused, not trusted.
      m_pool(knownHosts, [](const HostKeyInfo &) { return HostKeyDecision::Reject; }, qMax(1, parallelism), 50)
{
    connect(&m_pool, &SshPool::jobFinished, this,
            [this](int, const QString &server, bool ok, const QString &message, const QString &hint) {
                ServerSurvey &survey = m_results[server];
                survey.reachable = ok;
                if (ok)
                    survey.state = RemoteLayout::parseState(*m_lines.value(server));
                else
                    survey.error = hint.isEmpty() ? message : message + u' ' + hint;
            });
    connect(&m_pool, &SshPool::idle, this, [this] {
        if (m_started)
            emit finished();
    });
}

FleetSurvey::~FleetSurvey() = default;

void FleetSurvey::addServer(SshTarget target)
{
    ServerSurvey survey;
    survey.server = target.name;
    survey.host = target.host;
    m_order.append(target.name);
    m_results.insert(target.name, survey);
    m_lines.insert(target.name, std::make_shared<QStringList>());
    m_pool.addServer(std::move(target));
}

void FleetSurvey::start()
{
    m_started = true;
    const QString command = RemoteLayout(m_deployRoot).stateCommand();
    for (const QString &server : std::as_const(m_order)) {
        const std::shared_ptr<QStringList> lines = m_lines.value(server);
        m_pool.enqueue(server, [command, lines](SshSession &session, const SshJobContext &context) -> Result<> {
            ExecOptions options;
            options.cancel = context.cancel;
            options.timeoutMs = 30000;
            options.onStdout = [lines](const QString &line) { lines->append(line); };
            auto result = session.exec(command, options);
            if (!result)
                return std::unexpected(result.error());
            if (!result->succeeded())
                return fail(FleetSurvey::tr("Reading the deploy root failed (exit %1): %2")
                                .arg(result->exitStatus)
                                .arg(result->lastStderr.join(u' ')));
            return {};
        });
    }
    m_pool.finishAll();
    if (m_order.isEmpty())
        emit finished();
}

QList<ServerSurvey> FleetSurvey::results() const
{
    QList<ServerSurvey> results;
    for (const QString &server : m_order)
        results.append(m_results.value(server));
    return results;
}

} // namespace rd
