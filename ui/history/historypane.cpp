#include "historypane.h"
#include "history/historytablemodel.h"
#include "widgets/paneheader.h"
#include "widgets/recordtableview.h"
#include "release/taskjournal.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace rd {

namespace {

constexpr int AutoRefreshMs = 2000;

QDateTime modified(const QString &path)
{
    return QFileInfo(path).lastModified();
}

// A succeeded task is never run again and a missed one never starts: neither changes any more.
// Only the others are watched, so that a long history costs nothing on each check.
bool mayChange(TaskStatus status)
{
    return status != TaskStatus::Succeeded && status != TaskStatus::Missed;
}

// Statuses that change without anything written: a runner that died reads as interrupted, a
// scheduled task nothing started reads as missed. Such tasks are read again on every check.
bool mayChangeByItself(TaskStatus status)
{
    return status == TaskStatus::Scheduled || status == TaskStatus::Running ||
           status == TaskStatus::AwaitingPromotion || status == TaskStatus::Interrupted;
}

} // namespace

HistoryPane::HistoryPane(const QString &dataDir, QWidget *parent)
    : QWidget(parent), m_tasksDir(TaskJournal::tasksDirectory(dataDir)), m_model(new HistoryTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new RecordTableView(QStringLiteral("historyTableView"))), m_project(new QComboBox),
      m_environment(new QComboBox), m_status(new QComboBox), m_text(new QLineEdit), m_count(new QLabel),
      m_details(new QLabel), m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("historyPane"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 16, 20, 12);
    layout->setSpacing(10);

    layout->addWidget(new PaneHeader(
        tr("Task history"),
        tr("Every release task of this workstation, newest first. Open one to see its pipeline "
           "and logs; retry a failed one, resume an interrupted one, or roll back to a release.")));

    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(HistoryTableModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_table->setModel(m_proxy);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::DescendingOrder); // the model's order: newest first
    m_table->setAlternatingRowColors(true);
    m_table->setColumnWidths({{HistoryTableModel::Task, 25},
                              {HistoryTableModel::Target, 13},
                              {HistoryTableModel::Kind, 8},
                              {HistoryTableModel::Version, 25},
                              {HistoryTableModel::Ref, 18},
                              {HistoryTableModel::Operator, 10},
                              {HistoryTableModel::Status, 12},
                              {HistoryTableModel::When, 16},
                              {HistoryTableModel::Duration, 10},
                              {HistoryTableModel::Servers, 7}});

    layout->addWidget(createFilterRow());
    layout->addWidget(m_table, 1);
    // The selected task's summary in full: its cell is often cut short.
    m_details->setObjectName(QStringLiteral("taskDetailsLabel"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_details);
    layout->addWidget(createActionRow());

    // A click moves the current row first and selects it after: both matter.
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &HistoryPane::updateActions);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &HistoryPane::updateActions);
    // Enter, and a double-click (a single click where the platform activates items that way).
    connect(m_table, &QTableView::activated, this, [this] { emitForCurrent(m_openAction); });
    connect(m_timer, &QTimer::timeout, this, &HistoryPane::refreshIfChanged);
    m_timer->setInterval(AutoRefreshMs);
    refresh();
}

QWidget *HistoryPane::createFilterRow()
{
    m_project->setObjectName(QStringLiteral("projectComboBox"));
    m_environment->setObjectName(QStringLiteral("environmentComboBox"));
    m_status->setObjectName(QStringLiteral("statusComboBox"));
    m_text->setObjectName(QStringLiteral("filterLineEdit"));
    m_text->setPlaceholderText(tr("Filter by task, version, ref, operator or summary"));
    m_text->setClearButtonEnabled(true);
    for (QComboBox *combo : {m_project, m_environment, m_status})
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_status->addItem(tr("All statuses"), -1);
    for (TaskStatus status :
         {TaskStatus::Running, TaskStatus::AwaitingPromotion, TaskStatus::Scheduled, TaskStatus::Succeeded,
          TaskStatus::Failed, TaskStatus::Interrupted, TaskStatus::Aborted, TaskStatus::Missed})
        m_status->addItem(taskStatusText(status), int(status));

    connect(m_project, &QComboBox::currentIndexChanged, this, [this] {
        fillEnvironments();
        applyFilter();
    });
    connect(m_environment, &QComboBox::currentIndexChanged, this, &HistoryPane::applyFilter);
    connect(m_status, &QComboBox::currentIndexChanged, this, &HistoryPane::applyFilter);
    connect(m_text, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        updateCount();
        updateActions();
    });

    m_refreshAction = new QAction(tr("Refresh"), this);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_refreshAction->setToolTip(tr("Read the task directory again (%1); it is also checked every 2 seconds")
                                    .arg(m_refreshAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_refreshAction, &QAction::triggered, this, &HistoryPane::refresh);
    addAction(m_refreshAction);
    auto *refreshButton = new QToolButton;
    refreshButton->setObjectName(QStringLiteral("refreshButton"));
    refreshButton->setDefaultAction(m_refreshAction);

    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Project")));
    layout->addWidget(m_project);
    layout->addSpacing(8);
    layout->addWidget(new QLabel(tr("Environment")));
    layout->addWidget(m_environment);
    layout->addSpacing(8);
    layout->addWidget(new QLabel(tr("Status")));
    layout->addWidget(m_status);
    layout->addSpacing(8);
    layout->addWidget(m_text, 1);
    layout->addWidget(refreshButton);
    return row;
}

QWidget *HistoryPane::createActionRow()
{
    m_openAction = new QAction(tr("Open"), this);
    m_openAction->setObjectName(QStringLiteral("openTaskAction"));
    m_openAction->setToolTip(tr("Show the task's pipeline and logs (Enter or double-click)"));
    m_retryAction = new QAction(tr("Retry"), this);
    m_retryAction->setObjectName(QStringLiteral("retryTaskAction"));
    m_retryAction->setToolTip(tr("Run the failed servers again from the stage where they failed"));
    m_resumeAction = new QAction(tr("Resume"), this);
    m_resumeAction->setObjectName(QStringLiteral("resumeTaskAction"));
    m_resumeAction->setToolTip(tr("Continue the interrupted task where each server stopped"));
    m_rollbackAction = new QAction(tr("Roll back to this release"), this);
    m_rollbackAction->setObjectName(QStringLiteral("rollbackAction"));

    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    m_count->setObjectName(QStringLiteral("countLabel"));
    m_count->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(m_count, 1);
    for (QAction *action : {m_openAction, m_retryAction, m_resumeAction, m_rollbackAction}) {
        m_table->addAction(action);
        connect(action, &QAction::triggered, this, [this, action] { emitForCurrent(action); });
        auto *button = new QToolButton;
        button->setObjectName(action->objectName() + QStringLiteral("Button"));
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        layout->addWidget(button);
    }
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    return row;
}

void HistoryPane::refresh()
{
    const QString keep = currentTaskId();
    const QList<TaskRecord> tasks = TaskHistory::list(m_tasksDir);
    m_model->setTasks(tasks);
    remember();
    fillFilterChoices();
    applyFilter();
    if (!keep.isEmpty())
        selectTask(keep);
}

void HistoryPane::remember()
{
    m_dirTime = modified(m_tasksDir);
    m_taskTimes.clear();
    QSet<QString> listed;
    for (const TaskRecord &task : m_model->allTasks()) {
        if (mayChange(task.status))
            m_taskTimes.insert(task.plan.taskId, modified(task.directory));
        listed.insert(QFileInfo(task.directory).fileName());
    }
    m_unreadable.clear();
    for (const QString &name : QDir(m_tasksDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (!listed.contains(name))
            m_unreadable.append(name);
}

void HistoryPane::refreshIfChanged()
{
    if (modified(m_tasksDir) != m_dirTime) {
        refresh();
        return;
    }
    // A directory made just before the last listing may have become a task since.
    for (const QString &name : std::as_const(m_unreadable))
        if (TaskJournal::readSummary(QDir(m_tasksDir).filePath(name))) {
            refresh();
            return;
        }
    const QString keep = currentTaskId();
    const QList<TaskRecord> tasks = m_model->allTasks();
    bool changed = false;
    for (const TaskRecord &task : tasks) {
        if (!mayChange(task.status))
            continue;
        const QDateTime time = modified(task.directory);
        if (time == m_taskTimes.value(task.plan.taskId) && !mayChangeByItself(task.status))
            continue;
        m_taskTimes.insert(task.plan.taskId, time);
        auto again = TaskJournal::readSummary(task.directory);
        if (!again) {
            refresh(); // removed, or damaged: list what is there
            return;
        }
        m_model->updateTask(*again);
        changed = true;
    }
    // An update may move the task out of the filter and back: select it again where it still shows.
    if (changed && (keep.isEmpty() || !selectTask(keep)))
        updateActions();
    if (changed)
        updateCount();
}

void HistoryPane::fillFilterChoices()
{
    QStringList projects;
    for (const TaskRecord &task : m_model->allTasks())
        if (!projects.contains(task.plan.project))
            projects.append(task.plan.project);
    projects.sort(Qt::CaseInsensitive);
    const QString chosen = m_project->currentData().toString();
    {
        const QSignalBlocker blocker(m_project);
        m_project->clear();
        m_project->addItem(tr("All projects"), QString());
        for (const QString &project : std::as_const(projects))
            m_project->addItem(project, project);
        m_project->setCurrentIndex(qMax(0, m_project->findData(chosen)));
    }
    fillEnvironments();
}

void HistoryPane::fillEnvironments()
{
    const QString project = m_project->currentData().toString();
    QStringList environments;
    for (const TaskRecord &task : m_model->allTasks())
        if ((project.isEmpty() || task.plan.project == project) &&
            !environments.contains(task.plan.environment))
            environments.append(task.plan.environment);
    environments.sort(Qt::CaseInsensitive);
    const QString chosen = m_environment->currentData().toString();
    const QSignalBlocker blocker(m_environment);
    m_environment->clear();
    m_environment->addItem(tr("All environments"), QString());
    for (const QString &environment : std::as_const(environments))
        m_environment->addItem(environment, environment);
    m_environment->setCurrentIndex(qMax(0, m_environment->findData(chosen)));
}

void HistoryPane::applyFilter()
{
    const QString keep = currentTaskId();
    HistoryFilter filter;
    filter.project = m_project->currentData().toString();
    filter.environment = m_environment->currentData().toString();
    if (const int status = m_status->currentData().toInt(); status >= 0)
        filter.statuses = {TaskStatus(status)};
    m_model->setFilter(filter);
    if (keep.isEmpty() || !selectTask(keep))
        updateActions();
    updateCount();
}

void HistoryPane::updateCount()
{
    const int all = int(m_model->allTasks().size());
    if (all == 0)
        m_count->setText(tr("No release tasks yet."));
    else if (shownTaskCount() == all)
        m_count->setText(tr("%n task(s)", nullptr, all));
    else
        m_count->setText(tr("%1 of %2 tasks").arg(QString::number(shownTaskCount()), QString::number(all)));
}

int HistoryPane::shownTaskCount() const
{
    return m_proxy->rowCount();
}

const TaskRecord *HistoryPane::currentTask() const
{
    const QModelIndex index = m_table->selectionModel()->currentIndex();
    if (!index.isValid() || !m_table->selectionModel()->isRowSelected(index.row()))
        return nullptr;
    return &m_model->taskAt(m_proxy->mapToSource(index).row());
}

QString HistoryPane::currentTaskId() const
{
    const TaskRecord *task = currentTask();
    return task ? task->plan.taskId : QString();
}

bool HistoryPane::selectTask(const QString &taskId)
{
    const int row = m_model->rowOfTask(taskId);
    const QModelIndex index = row < 0 ? QModelIndex() : m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) {
        updateActions();
        return false;
    }
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                          QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    updateActions();
    return true;
}

void HistoryPane::updateActions()
{
    const TaskRecord *task = currentTask();
    const TaskStatus status = task ? task->status : TaskStatus::Scheduled;
    m_openAction->setEnabled(task);
    m_retryAction->setEnabled(task && (status == TaskStatus::Failed || status == TaskStatus::Aborted));
    m_resumeAction->setEnabled(task && status == TaskStatus::Interrupted);
    QStringList details;
    if (task) {
        details << tr("Task %1").arg(task->plan.taskId);
        for (const QString &text : {task->summary, task->plan.description})
            if (!text.isEmpty())
                details << text;
        if (task->attempts > 1)
            details << tr("%n attempt(s)", nullptr, task->attempts);
    }
    m_details->setText(details.join(QStringLiteral(" · ")));
    const bool canRollBack = task && m_model->canRollBackTo(m_model->rowOfTask(task->plan.taskId));
    m_rollbackAction->setEnabled(canRollBack);
    if (!task)
        m_rollbackAction->setToolTip(tr("Select a succeeded release to switch its environment back to it"));
    else if (canRollBack)
        m_rollbackAction->setToolTip(
            tr("Switch every server of %1 / %2 back to %3")
                .arg(task->plan.project, task->plan.environment, task->plan.version));
    else if (status != TaskStatus::Succeeded || task->plan.kind == ReleaseKind::Rollback)
        m_rollbackAction->setToolTip(
            tr("Only a release that succeeded (not a rollback) can be gone back to"));
    else
        m_rollbackAction->setToolTip(
            tr("%1 is live now, or older than the releases the servers keep").arg(task->plan.version));
}

void HistoryPane::emitForCurrent(QAction *action)
{
    const TaskRecord *task = currentTask();
    // The action may be disabled while its shortcut or a double-click still reach here.
    if (!task || !action->isEnabled())
        return;
    const QString id = task->plan.taskId;
    if (action == m_openAction)
        emit openTaskRequested(id);
    else if (action == m_retryAction)
        emit retryRequested(id);
    else if (action == m_resumeAction)
        emit resumeRequested(id);
    else if (action == m_rollbackAction)
        emit rollbackRequested(task->plan.project, task->plan.environment, task->plan.version);
}

void HistoryPane::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refreshIfChanged();
    m_timer->start();
}

void HistoryPane::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
}

} // namespace rd
