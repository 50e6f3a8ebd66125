#include "planpreviewdialog.h"

#include "release/releasedryrun.h"
#include "ssh/sshtargetfactory.h"
#include "workspace/workspace.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace rd {

namespace {

QString hostKeyText(const std::optional<HostKeyState> &state)
{
    if (!state)
        return PlanPreviewDialog::tr("not reached");
    switch (*state) {
    case HostKeyState::Known: return PlanPreviewDialog::tr("known");
    case HostKeyState::Unknown: return PlanPreviewDialog::tr("new");
    case HostKeyState::Changed: return PlanPreviewDialog::tr("CHANGED");
    case HostKeyState::Revoked: return PlanPreviewDialog::tr("revoked");
    }
    return {};
}

} // namespace

PlanPreviewDialog::PlanPreviewDialog(const ReleasePlan &plan, Workspace &workspace, QWidget *parent)
    : QDialog(parent), m_dryRun(std::make_unique<ReleaseDryRun>(plan, workspace.knownHosts())), m_summary(new QLabel), m_servers(new QTreeWidget),
      m_steps(new QPlainTextEdit)
{
    setObjectName(QStringLiteral("planPreview"));
    setWindowTitle(tr("Plan: %1 release of %2 to %3/%4")
                       .arg(releaseKindLabel(plan.kind), plan.version, plan.project, plan.environment));
    m_summary->setObjectName(QStringLiteral("planSummary"));
    m_summary->setWordWrap(true);
    m_summary->setText(tr("Reading %n server(s)… nothing is changed on them.", nullptr, int(plan.servers.size())));
    m_servers->setObjectName(QStringLiteral("planServers"));
    m_servers->setHeaderLabels({tr("Server"), tr("Host key"), tr("Current"), tr("Kept"), tr("Free"), tr("Lock"),
                                tr("Problems")});
    m_servers->setRootIsDecorated(false);
    m_servers->setAlternatingRowColors(true);
    m_servers->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_servers->header()->setStretchLastSection(true);
    m_steps->setObjectName(QStringLiteral("planSteps"));
    m_steps->setReadOnly(true);
    m_steps->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_servers);
    splitter->addWidget(m_steps);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_servers, &QTreeWidget::currentItemChanged, this, &PlanPreviewDialog::showSteps);
    connect(m_dryRun.get(), &ReleaseDryRun::finished, this, &PlanPreviewDialog::finished);
    resize(1000, 600);

    // Servers whose key cannot be opened (a locked vault) are shown as blocked, not left out.
    for (const QString &name : plan.servers) {
        auto target = SshTargetFactory::forServers(workspace.store(), &workspace.vault(), {name});
        if (target)
            m_dryRun->addServer(std::move(target->front()));
        else
            m_dryRun->addUnreachableServer(name, QString(), target.error().text());
    }
    m_dryRun->start();
}

PlanPreviewDialog::~PlanPreviewDialog() = default;

int PlanPreviewDialog::blockedServers() const
{
    return int(std::count_if(m_results.cbegin(), m_results.cend(), [](const ServerPlan &s) { return s.blocked(); }));
}

void PlanPreviewDialog::finished(const QList<ServerPlan> &servers)
{
    m_results = servers;
    m_done = true;
    const QLocale locale;
    for (const ServerPlan &server : servers) {
        const QStringList problems = server.blockers + server.warnings;
        auto *item = new QTreeWidgetItem(
            m_servers, {server.server, hostKeyText(server.hostKey), server.current.isEmpty() ? tr("none") : server.current,
                        QString::number(server.releases.size()),
                        server.freeKiB < 0 ? QString() : locale.formattedDataSize(server.freeKiB * 1024, 1, QLocale::DataSizeSIFormat),
                        server.lockHolder, problems.join(QStringLiteral("; "))});
        item->setToolTip(6, problems.join(u'\n'));
        if (server.blocked())
            for (int column = 0; column < m_servers->columnCount(); ++column)
                item->setForeground(column, QColor(0xc6, 0x28, 0x28));
        else if (!server.warnings.isEmpty())
            item->setForeground(6, QColor(0xef, 0x6c, 0x00));
    }
    m_servers->setCurrentItem(m_servers->topLevelItem(0));
    const int blocked = blockedServers();
    m_summary->setText(blocked == 0 ? tr("Every server would take this release. Select a server to see its steps.")
                                    : tr("%1 of %2 servers would not take this release: see Problems.")
                                          .arg(QString::number(blocked), QString::number(servers.size())));
    emit done();
}

void PlanPreviewDialog::showSteps()
{
    const int row = m_servers->indexOfTopLevelItem(m_servers->currentItem());
    if (row < 0 || row >= m_results.size())
        return;
    const ServerPlan &server = m_results[row];
    QStringList lines;
    for (int i = 0; i < server.steps.size(); ++i)
        lines.append(QStringLiteral("%1. %2").arg(QString::number(i + 1), server.steps[i]));
    for (const QString &blocker : server.blockers)
        lines.append(tr("BLOCKED: %1").arg(blocker));
    for (const QString &warning : server.warnings)
        lines.append(tr("Note: %1").arg(warning));
    m_steps->setPlainText(lines.join(u'\n'));
}

} // namespace rd
