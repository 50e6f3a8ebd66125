#include "fleetview.h"
#include "fleet/fleettablemodel.h"
#include "inventory/inventorystore.h"
#include "widgets/paneheader.h"
#include "widgets/recordtableview.h"
#include "release/fleetstatus.h"
#include "workspace/fleetreading.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QProgressBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace rd {

FleetView::FleetView(Workspace &workspace, QWidget *parent)
    : QWidget(parent), m_workspace(workspace), m_store(workspace.store()),
      m_model(new FleetTableModel(this)), m_table(new RecordTableView(QStringLiteral("fleetTableView"))),
      m_project(new QComboBox), m_environment(new QComboBox), m_busy(new QProgressBar),
      m_lastReadLabel(new QLabel), m_summary(new QLabel), m_details(new QLabel), m_banner(new QLabel)
{
    setObjectName(QStringLiteral("fleetView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 16, 20, 12);
    layout->setSpacing(10);

    layout->addWidget(new PaneHeader(
        tr("Fleet"), tr("The release each server runs now, read from the servers themselves. Servers that "
                        "do not run their environment's release are marked as drift.")));

    m_banner->setObjectName(QStringLiteral("vaultBannerLabel"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fff8e1; color: #6d4c00; border: 1px solid "
                                           "#ffe082; border-radius: 4px; padding: 6px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);

    m_project->setObjectName(QStringLiteral("projectComboBox"));
    m_environment->setObjectName(QStringLiteral("environmentComboBox"));
    for (QComboBox *combo : {m_project, m_environment})
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_refreshAction = new QAction(tr("Refresh"), this);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_refreshAction->setToolTip(tr("Read every server again (%1)")
                                    .arg(m_refreshAction->shortcut().toString(QKeySequence::NativeText)));
    addAction(m_refreshAction);
    connect(m_refreshAction, &QAction::triggered, this, &FleetView::refresh);
    auto *refreshButton = new QToolButton;
    refreshButton->setObjectName(QStringLiteral("refreshButton"));
    refreshButton->setDefaultAction(m_refreshAction);
    m_busy->setObjectName(QStringLiteral("readingProgressBar"));
    m_busy->setFixedWidth(120);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_lastReadLabel->setObjectName(QStringLiteral("lastReadLabel"));
    m_lastReadLabel->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Project")));
    controls->addWidget(m_project);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Environment")));
    controls->addWidget(m_environment);
    controls->addSpacing(8);
    controls->addWidget(refreshButton);
    controls->addStretch(1);
    controls->addWidget(m_busy);
    controls->addWidget(m_lastReadLabel);
    layout->addLayout(controls);

    m_table->setModel(m_model);
    m_table->setColumnWidths({{FleetTableModel::Server, 12},
                              {FleetTableModel::Environment, 14},
                              {FleetTableModel::Host, 14},
                              {FleetTableModel::Version, 27},
                              {FleetTableModel::Commit, 10},
                              {FleetTableModel::Released, 17},
                              {FleetTableModel::Operator, 10},
                              {FleetTableModel::Drift, 7},
                              {FleetTableModel::Lock, 34}});
    layout->addWidget(m_table, 1);

    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    // The selected server's whole story: errors and lock holders are often longer than their cells.
    m_details->setObjectName(QStringLiteral("serverDetailsLabel"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(m_details);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &FleetView::showDetails);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &FleetView::showDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FleetView::showDetails);

    connect(m_project, &QComboBox::currentIndexChanged, this, [this] {
        fillEnvironments();
        refresh();
    });
    connect(m_environment, &QComboBox::currentIndexChanged, this, &FleetView::refresh);
    reloadInventory();
    updateSummary();
}

FleetView::~FleetView()
{
    // Readings still under way use the known hosts: they end (and wait for their threads) first.
    qDeleteAll(findChildren<FleetStatus *>(Qt::FindDirectChildrenOnly));
}

void FleetView::reloadInventory()
{
    const QString chosen = m_project->currentData().toString();
    {
        const QSignalBlocker blocker(m_project);
        m_project->clear();
        if (auto projects = m_store.projects())
            for (const Project &project : *projects)
                m_project->addItem(project.name, project.name);
        m_project->setCurrentIndex(qMax(0, m_project->findData(chosen)));
    }
    fillEnvironments();
}

void FleetView::fillEnvironments()
{
    const qint64 projectId = m_store.projectId(m_project->currentData().toString());
    const QString chosen = m_environment->currentData().toString();
    const QSignalBlocker blocker(m_environment);
    m_environment->clear();
    m_environment->addItem(tr("All environments"), QString());
    if (auto environments = m_store.environments())
        for (const Environment &environment : *environments)
            if (environment.projectId == projectId)
                m_environment->addItem(environment.name, environment.name);
    m_environment->setCurrentIndex(qMax(0, m_environment->findData(chosen)));
}

bool FleetView::setEnvironment(const QString &project, const QString &environment)
{
    const int projectIndex = m_project->findData(project);
    if (projectIndex < 0)
        return false;
    {
        const QSignalBlocker blocker(m_project);
        m_project->setCurrentIndex(projectIndex);
    }
    fillEnvironments();
    const int environmentIndex = m_environment->findData(environment);
    if (environmentIndex < 0)
        return false;
    {
        const QSignalBlocker blocker(m_environment);
        m_environment->setCurrentIndex(environmentIndex);
    }
    refresh();
    return true;
}

void FleetView::refresh()
{
    const int generation = ++m_generation;
    const QString projectName = m_project->currentData().toString();
    const QString chosen = m_environment->currentData().toString();
    const qint64 projectId = m_store.projectId(projectName);
    m_table->setColumnHidden(FleetTableModel::Environment, !chosen.isEmpty());

    QList<FleetRow> rows;
    QList<FleetStatus *> readings;
    bool needsVault = false;
    auto environments = m_store.environments();
    for (const Environment &environment : environments ? *environments : QList<Environment>()) {
        if (projectId == 0 || environment.projectId != projectId ||
            (!chosen.isEmpty() && environment.name != chosen))
            continue;
        const FleetReading reading(m_workspace, projectName, environment);
        needsVault = needsVault || reading.needsVault();
        auto *fleet = reading.create(this);
        for (const ServerRelease &server : fleet->results())
            rows.append({projectName, environment.name, server, fleet->expectedVersion(), false});
        const QString name = environment.name;
        connect(fleet, &FleetStatus::serverRead, this,
                [this, generation, name, fleet](const ServerRelease &server) {
                    if (generation != m_generation)
                        return;
                    m_model->updateServer(name, server, fleet->expectedVersion());
                    updateSummary();
                });
        // Without a known release, drift is only decided once every server of the environment is read.
        connect(fleet, &FleetStatus::finished, this,
                [this, generation, name, fleet](const QList<ServerRelease> &servers) {
                    fleet->deleteLater();
                    if (generation != m_generation)
                        return;
                    for (const ServerRelease &server : servers)
                        m_model->updateServer(name, server, fleet->expectedVersion());
                    finishOne();
                });
        readings.append(fleet);
    }
    m_model->setRows(rows);
    m_banner->setText(
        tr("Some servers log in with a key stored in the vault, which is locked: they cannot be "
           "read. Unlock the vault, then refresh."));
    m_banner->setVisible(needsVault);
    m_pending = int(readings.size());
    m_refreshAction->setEnabled(m_pending == 0);
    for (FleetStatus *fleet : std::as_const(readings))
        fleet->start();
    updateSummary();
}

void FleetView::finishOne()
{
    if (--m_pending > 0)
        return;
    m_lastRead = QDateTime::currentDateTime();
    m_refreshAction->setEnabled(true);
    updateSummary();
    emit readFinished();
}

void FleetView::updateSummary()
{
    int read = 0;
    int drift = 0;
    int unreachable = 0;
    int locked = 0;
    int bare = 0; // read, but no release there
    for (int i = 0; i < m_model->rowCount(); ++i) {
        const FleetRow &row = m_model->rowAt(i);
        read += row.read ? 1 : 0;
        drift += row.server.drift ? 1 : 0;
        unreachable += row.read && !row.server.reachable ? 1 : 0;
        locked += row.server.lockHolder.isEmpty() ? 0 : 1;
        bare += row.read && row.server.reachable && row.server.version.isEmpty() ? 1 : 0;
    }
    const int total = m_model->rowCount();
    m_busy->setVisible(isReading());
    m_busy->setRange(0, qMax(1, total));
    m_busy->setValue(read);
    if (isReading())
        m_lastReadLabel->setText(
            tr("Reading %1 of %2 servers…").arg(QString::number(read), QString::number(total)));
    else if (m_lastRead.isValid())
        m_lastReadLabel->setText(tr("Last read at %1").arg(m_lastRead.toString(QStringLiteral("HH:mm:ss"))));
    else
        m_lastReadLabel->setText(tr("Not read yet"));

    if (m_project->count() == 0) {
        m_summary->setText(tr("No projects in the inventory yet."));
        return;
    }
    if (total == 0) {
        m_summary->setText(m_pending || m_lastRead.isValid() ? tr("No enabled servers here.") : QString());
        return;
    }
    QStringList parts{tr("%n server(s)", nullptr, total)};
    if (drift)
        parts << tr("%n drifting", nullptr, drift);
    if (unreachable)
        parts << tr("%n not readable", nullptr, unreachable);
    if (locked)
        parts << tr("%n locked", nullptr, locked);
    if (bare)
        parts << tr("%n without a release", nullptr, bare);
    if (!isReading() && !drift && !unreachable && !bare)
        parts << tr("all on their environment's release");
    m_summary->setText(parts.join(QStringLiteral(" · ")));
}

void FleetView::showDetails()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    m_details->setText(
        current.isValid()
            ? m_model->index(current.row(), FleetTableModel::Server).data(Qt::ToolTipRole).toString()
            : QString());
}

void FleetView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // The first look reads the servers; later ones show what was read, until Refresh.
    if (!m_lastRead.isValid() && !isReading() && m_project->count() > 0)
        refresh();
}

} // namespace rd
