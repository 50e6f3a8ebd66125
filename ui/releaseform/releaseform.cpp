#include "releaseform.h"

#include "git/gitmirror.h"
#include "inventorypanes/hookeditor.h"
#include "inventory/inventorystore.h"
#include "release/taskhistory.h"
#include "releaseform/serverlanelist.h"
#include "workspace/mirrorfetch.h"
#include "workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSpinBox>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace rd {

namespace {

constexpr int CommitLimit = 50;

QLabel *hint(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: palette(mid);"));
    return label;
}

} // namespace

ReleaseForm::ReleaseForm(Workspace &workspace, QWidget *parent)
    : QWidget(parent), m_workspace(workspace), m_store(workspace.store()), m_banner(new QLabel),
      m_environment(new QComboBox), m_description(new QLineEdit), m_useBranch(new QRadioButton(tr("Branch"))),
      m_useTag(new QRadioButton(tr("Tag"))), m_branch(new QComboBox), m_commits(new QTreeWidget),
      m_tag(new QComboBox), m_selection(new QLabel), m_changes(new QTreeWidget), m_changesSummary(new QLabel),
      m_kind(new QComboBox), m_batchSize(new QSpinBox), m_failureBudget(new QSpinBox), m_soak(new QSpinBox),
      m_wholePackage(new QCheckBox(tr("Fresh complete unpack (no delta)"))),
      m_servers(new ServerLaneList(QStringLiteral("serverLane"))),
      m_canaryLane(new ServerLaneList(QStringLiteral("canaryLane"))),
      m_canaryHint(new QLabel), m_hookTabs(new QTabWidget),
      m_buildHook(new HookEditor(m_store, HookStage::AfterDownload)),
      m_beforeRelease(new HookEditor(m_store, HookStage::BeforeRelease)),
      m_afterRelease(new HookEditor(m_store, HookStage::AfterRelease)), m_healthCommand(new QLineEdit),
      m_healthUrl(new QLineEdit), m_healthStatus(new QSpinBox), m_scheduleEnabled(new QCheckBox(tr("Start at"))),
      m_scheduleAt(new QDateTimeEdit), m_fetchFirst(new QCheckBox(tr("Fetch the mirror before packaging"))),
      m_fetchNow(new QPushButton(tr("Fetch now"))), m_planButton(new QPushButton(tr("Preview plan…"))),
      m_startButton(new QPushButton(tr("Start release")))
{
    setObjectName(QStringLiteral("releaseForm"));
    m_banner->setObjectName(QStringLiteral("formBanner"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fdecea; color: #8e1c14; border: 1px solid #f5c2bd; border-radius: 6px; padding: 8px; }"));
    m_banner->hide();
    m_environment->setObjectName(QStringLiteral("environment"));
    m_description->setObjectName(QStringLiteral("description"));
    m_description->setPlaceholderText(tr("What this release is for (shown in the history)"));

    auto *where = new QGroupBox(tr("Where"));
    auto *whereLayout = new QFormLayout(where);
    whereLayout->addRow(tr("Environment:"), m_environment);
    whereLayout->addRow(tr("Description:"), m_description);

    auto *left = new QVBoxLayout;
    left->addWidget(where);
    left->addWidget(buildSourceBox(), 3);
    left->addWidget(buildChangesBox(), 2);

    auto *right = new QVBoxLayout;
    right->addWidget(buildKindBox());
    right->addWidget(buildServersBox(), 2);
    right->addWidget(buildHooksBox(), 3);

    right->addLayout(buildScheduleRow());
    right->addLayout(buildButtonsRow());

    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 5);
    columns->addLayout(right, 6);
    auto *content = new QWidget;
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->addWidget(m_banner);
    contentLayout->addLayout(columns, 1);
    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    connect(m_environment, &QComboBox::currentIndexChanged, this, &ReleaseForm::environmentChanged);
    connect(m_scheduleEnabled, &QCheckBox::toggled, m_scheduleAt, &QWidget::setEnabled);
    connect(m_planButton, &QPushButton::clicked, this, [this] {
        auto request = this->request();
        if (!request)
            return showError(request.error());
        m_banner->hide();
        emit planRequested(*request);
    });
    connect(m_startButton, &QPushButton::clicked, this, &ReleaseForm::start);
    auto *startShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(startShortcut, &QShortcut::activated, this, &ReleaseForm::start);
    connect(&m_refsWatcher, &QFutureWatcherBase::finished, this, &ReleaseForm::refsRead);
    connect(&m_commitsWatcher, &QFutureWatcherBase::finished, this, &ReleaseForm::commitsRead);
    connect(&m_changesWatcher, &QFutureWatcherBase::finished, this, &ReleaseForm::changesRead);
    connect(&m_fetchWatcher, &QFutureWatcherBase::finished, this, [this] {
        m_fetchNow->setEnabled(true);
        m_fetchNow->setText(tr("Fetch now"));
        const QString error = m_fetchWatcher.result();
        if (!error.isEmpty())
            return showError(Error{error, {}, QStringLiteral("fetchNow")});
        loadRefs();
    });
    reload();
}

// A fetch still running uses the workspace's known hosts, which go with the window.
ReleaseForm::~ReleaseForm()
{
    m_fetchCancel->store(true);
    m_fetchWatcher.waitForFinished();
}

QWidget *ReleaseForm::buildSourceBox()
{
    auto *box = new QGroupBox(tr("What"));
    m_useBranch->setObjectName(QStringLiteral("useBranch"));
    m_useTag->setObjectName(QStringLiteral("useTag"));
    m_branch->setObjectName(QStringLiteral("branch"));
    m_tag->setObjectName(QStringLiteral("tag"));
    m_commits->setObjectName(QStringLiteral("commits"));
    m_selection->setObjectName(QStringLiteral("selection"));
    m_fetchNow->setObjectName(QStringLiteral("fetchNow"));
    m_useBranch->setChecked(true);
    m_tag->setEnabled(false);
    m_commits->setHeaderLabels({tr("Commit"), tr("Subject"), tr("Author"), tr("Date")});
    m_commits->setRootIsDecorated(false);
    m_commits->setUniformRowHeights(true);
    m_commits->setAlternatingRowColors(true);
    m_commits->header()->setStretchLastSection(false);
    m_commits->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_commits->setMinimumHeight(140);
    m_selection->setStyleSheet(QStringLiteral("font-weight: 600;"));

    auto *refRow = new QGridLayout;
    refRow->addWidget(m_useBranch, 0, 0);
    refRow->addWidget(m_branch, 0, 1);
    refRow->addWidget(m_fetchNow, 0, 2);
    refRow->addWidget(m_useTag, 1, 0);
    refRow->addWidget(m_tag, 1, 1, 1, 2);
    refRow->setColumnStretch(1, 1);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(refRow);
    layout->addWidget(m_commits, 1);
    layout->addWidget(m_selection);

    connect(m_useBranch, &QRadioButton::toggled, this, [this](bool branch) {
        m_branch->setEnabled(branch);
        m_commits->setEnabled(branch);
        m_tag->setEnabled(!branch);
        loadChanges();
    });
    connect(m_branch, &QComboBox::currentIndexChanged, this, &ReleaseForm::loadCommits);
    connect(m_tag, &QComboBox::currentIndexChanged, this, &ReleaseForm::loadChanges);
    connect(m_commits, &QTreeWidget::currentItemChanged, this, &ReleaseForm::loadChanges);
    connect(m_fetchNow, &QPushButton::clicked, this, [this] {
        auto projects = m_store.projects();
        const QStringList names = m_environment->currentData().toStringList();
        if (!projects || names.size() != 2)
            return;
        const auto project = std::find_if(projects->cbegin(), projects->cend(),
                                          [&](const Project &p) { return p.name == names[0]; });
        if (project == projects->cend())
            return;
        m_fetchNow->setEnabled(false);
        m_fetchNow->setText(tr("Fetching…"));
        // ssh-agent signs in; a host key not known yet is refused (the Servers pane scans keys).
        m_fetchCancel->store(false);
        m_fetchWatcher.setFuture(QtConcurrent::run(
            [fetch = MirrorFetch(m_workspace, *project), cancel = m_fetchCancel]() -> QString {
                MirrorFetch::Options options;
                options.cancel = cancel.get();
                auto fetched = fetch.run(std::move(options));
                return fetched ? QString() : fetched.error().text();
            }));
    });
    return box;
}

QLayout *ReleaseForm::buildScheduleRow()
{
    auto *schedule = new QHBoxLayout;
    m_scheduleEnabled->setObjectName(QStringLiteral("scheduleEnabled"));
    m_scheduleAt->setObjectName(QStringLiteral("schedule"));
    m_scheduleAt->setCalendarPopup(true);
    m_scheduleAt->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    m_scheduleAt->setEnabled(false);
    m_scheduleAt->setMinimumDateTime(QDateTime::currentDateTime());
    m_scheduleAt->setDateTime(QDateTime::currentDateTime().addSecs(3600));
    m_fetchFirst->setObjectName(QStringLiteral("fetchFirst"));
    m_fetchFirst->setChecked(true);
    schedule->addWidget(m_scheduleEnabled);
    schedule->addWidget(m_scheduleAt);
    schedule->addStretch(1);
    schedule->addWidget(m_fetchFirst);
    return schedule;
}

QLayout *ReleaseForm::buildButtonsRow()
{
    auto *buttons = new QHBoxLayout;
    m_planButton->setObjectName(QStringLiteral("planButton"));
    m_startButton->setObjectName(QStringLiteral("startButton"));
    m_startButton->setDefault(true);
    m_startButton->setToolTip(tr("Start the release (Ctrl+Return)"));
    m_startButton->setStyleSheet(QStringLiteral(
        "QPushButton { background: #2e7d32; color: white; font-weight: 600; padding: 6px 18px; border-radius: 5px; }"
        "QPushButton:disabled { background: #9e9e9e; }"));
    buttons->addStretch(1);
    buttons->addWidget(m_planButton);
    buttons->addWidget(m_startButton);
    return buttons;
}

QWidget *ReleaseForm::buildChangesBox()
{
    auto *changesBox = new QGroupBox(tr("What is going out"));
    auto *changesLayout = new QVBoxLayout(changesBox);
    m_changes->setObjectName(QStringLiteral("changes"));
    m_changes->setHeaderLabels({tr("Change"), tr("Detail")});
    m_changes->setRootIsDecorated(true);
    m_changes->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_changesSummary->setObjectName(QStringLiteral("changesSummary"));
    m_changesSummary->setWordWrap(true);
    changesLayout->addWidget(m_changesSummary);
    changesLayout->addWidget(m_changes, 1);
    return changesBox;
}

void ReleaseForm::changesRead()
{
    const Changes changes = m_changesWatcher.result();
    if (changes.target != selectedCommit())
        return;
    m_changes->clear();
    if (!changes.error.isEmpty()) {
        m_changesSummary->setText(changes.error);
        return;
    }
    const ChangeSet &set = changes.set;
    m_changesSummary->setText(
        set.commitsRemoved.isEmpty()
            ? tr("%1 commit(s) and %2 file(s) since the live release %3.")
                  .arg(QString::number(set.commitsAdded.size()), QString::number(set.files.size()),
                       m_liveCommit.left(8))
            : tr("Going back: %1 commit(s) are removed and %2 file(s) change against the live release %3.")
                  .arg(QString::number(set.commitsRemoved.size()), QString::number(set.files.size()),
                       m_liveCommit.left(8)));
    auto *commits = new QTreeWidgetItem(m_changes, {tr("Commits"), QString::number(set.commitsAdded.size())});
    for (const CommitInfo &commit : set.commitsAdded)
        new QTreeWidgetItem(commits, {commit.shortId, commit.subject + QStringLiteral(" — ") + commit.author});
    auto *files = new QTreeWidgetItem(m_changes, {tr("Files"), QString::number(set.files.size())});
    for (const FileChange &file : set.files)
        new QTreeWidgetItem(files, {FileChange::statusName(file.status), file.path});
    commits->setExpanded(true);
    files->setExpanded(set.files.size() <= 200);
}

QWidget *ReleaseForm::buildKindBox()
{
    auto *box = new QGroupBox(tr("How"));
    m_kind->setObjectName(QStringLiteral("kind"));
    m_kind->addItem(tr("Full — every server, one switch window"), int(ReleaseKind::Full));
    m_kind->addItem(tr("Rolling — in batches, within a failure budget"), int(ReleaseKind::Rolling));
    m_kind->addItem(tr("Gray — canaries first, then promote"), int(ReleaseKind::Gray));
    m_kind->addItem(tr("Patch — only the files changed since the live release"), int(ReleaseKind::Patch));
    m_batchSize->setObjectName(QStringLiteral("batchSize"));
    m_batchSize->setRange(1, 500);
    m_batchSize->setValue(2);
    m_failureBudget->setObjectName(QStringLiteral("failureBudget"));
    m_failureBudget->setRange(0, 500);
    m_failureBudget->setSuffix(tr(" server(s)"));
    m_soak->setObjectName(QStringLiteral("soak"));
    m_soak->setRange(0, 86400);
    m_soak->setSuffix(tr(" s"));
    m_soak->setSpecialValueText(tr("wait for Promote"));
    m_soak->setMinimumWidth(m_soak->fontMetrics().horizontalAdvance(m_soak->specialValueText()) + 40);

    auto *layout = new QFormLayout(box);
    layout->addRow(tr("Kind:"), m_kind);
    auto *numbers = new QHBoxLayout;
    numbers->addWidget(new QLabel(tr("Batch size:")));
    numbers->addWidget(m_batchSize);
    numbers->addSpacing(12);
    numbers->addWidget(new QLabel(tr("Failure budget:")));
    numbers->addWidget(m_failureBudget);
    numbers->addSpacing(12);
    numbers->addWidget(new QLabel(tr("Auto-promote after:")));
    numbers->addWidget(m_soak);
    numbers->addStretch(1);
    layout->addRow(numbers);
    m_wholePackage->setObjectName(QStringLiteral("wholePackage"));
    m_wholePackage->setToolTip(tr("After the first release, each server whose live release is still as it was "
                                  "unpacked gets only the changed files (hard links for the rest). Tick this to send "
                                  "every server the whole package instead."));
    layout->addRow(m_wholePackage);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ReleaseForm::kindChanged);
    kindChanged();
    return box;
}

QWidget *ReleaseForm::buildServersBox()
{
    auto *box = new QGroupBox(tr("Servers"));
    m_servers->setPartner(m_canaryLane);
    m_canaryLane->setPartner(m_servers);
    m_canaryHint->setObjectName(QStringLiteral("canaryHint"));
    auto *serversColumn = new QVBoxLayout;
    serversColumn->addWidget(new QLabel(tr("Release to (untick to leave out):")));
    serversColumn->addWidget(m_servers, 1);
    auto *canaryColumn = new QVBoxLayout;
    canaryColumn->addWidget(new QLabel(tr("Canary lane (drag servers here):")));
    canaryColumn->addWidget(m_canaryLane, 1);
    m_canaryLane->setStyleSheet(QStringLiteral("QListWidget { background: #fff8e1; border: 1px dashed #f9a825; }"));
    auto *lanes = new QHBoxLayout;
    lanes->addLayout(serversColumn, 1);
    lanes->addLayout(canaryColumn, 1);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(lanes, 1);
    m_canaryHint->setWordWrap(true);
    layout->addWidget(m_canaryHint);
    return box;
}

QWidget *ReleaseForm::buildHooksBox()
{
    auto *box = new QGroupBox(tr("Hooks and health"));
    m_hookTabs->setObjectName(QStringLiteral("hookTabs"));
    m_hookTabs->addTab(m_buildHook, tr("After download (build, here)"));
    m_hookTabs->addTab(m_beforeRelease, tr("Before release"));
    m_hookTabs->addTab(m_afterRelease, tr("After release"));
    auto *health = new QWidget;
    auto *healthLayout = new QFormLayout(health);
    m_healthCommand->setObjectName(QStringLiteral("healthCommand"));
    m_healthCommand->setPlaceholderText(tr("e.g. curl -fsS http://127.0.0.1:8080/health"));
    m_healthUrl->setObjectName(QStringLiteral("healthUrl"));
    m_healthUrl->setPlaceholderText(tr("e.g. http://{host}:8080/health ({host} and {server} are filled in)"));
    m_healthStatus->setObjectName(QStringLiteral("healthStatus"));
    m_healthStatus->setRange(100, 599);
    m_healthStatus->setValue(200);
    healthLayout->addRow(tr("Command on the server:"), m_healthCommand);
    healthLayout->addRow(tr("HTTP check URL:"), m_healthUrl);
    healthLayout->addRow(tr("Expected status:"), m_healthStatus);
    healthLayout->addRow(hint(tr("A server whose check fails is switched back to its previous release.")));
    m_hookTabs->addTab(health, tr("Health check"));
    for (HookEditor *editor : {m_buildHook, m_beforeRelease, m_afterRelease})
        connect(editor, &HookEditor::templatesChanged, this, [this] {
            for (HookEditor *other : {m_buildHook, m_beforeRelease, m_afterRelease})
                other->reloadTemplates();
        });
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_hookTabs);
    return box;
}

void ReleaseForm::reload()
{
    const QStringList selected = m_environment->currentData().toStringList();
    QSignalBlocker blocker(m_environment);
    m_environment->clear();
    auto projects = m_store.projects();
    auto environments = m_store.environments();
    if (projects && environments) {
        for (const Project &project : std::as_const(*projects))
            for (const Environment &environment : std::as_const(*environments))
                if (environment.projectId == project.id)
                    m_environment->addItem(QStringLiteral("%1 / %2").arg(project.name, environment.name),
                                           QStringList{project.name, environment.name});
    }
    const int index = m_environment->findData(selected);
    m_environment->setCurrentIndex(index >= 0 ? index : 0);
    for (HookEditor *editor : {m_buildHook, m_beforeRelease, m_afterRelease})
        editor->reloadTemplates();
    blocker.unblock();
    environmentChanged();
}

bool ReleaseForm::selectEnvironment(const QString &project, const QString &environment)
{
    const int index = m_environment->findData(QStringList{project, environment});
    if (index < 0)
        return false;
    m_environment->setCurrentIndex(index);
    return true;
}

QString ReleaseForm::mirrorPath() const
{
    const QStringList names = m_environment->currentData().toStringList();
    return names.isEmpty() ? QString() : m_workspace.mirrorPath(names[0]);
}

void ReleaseForm::environmentChanged()
{
    ++m_generation;
    m_servers->clear();
    m_canaryLane->clear();
    m_branch->clear();
    m_tag->clear();
    m_commits->clear();
    m_changes->clear();
    m_changesSummary->clear();
    m_selection->clear();
    m_refsLoaded = false;
    const QStringList names = m_environment->currentData().toStringList();
    const bool any = names.size() == 2;
    m_startButton->setEnabled(any);
    m_planButton->setEnabled(any);
    if (!any) {
        m_changesSummary->setText(tr("Add a project and an environment with servers first."));
        return;
    }
    auto environments = m_store.environments();
    auto projects = m_store.projects();
    if (!environments || !projects)
        return;
    for (const Environment &environment : std::as_const(*environments)) {
        const bool match = environment.name == names[1] &&
                           std::any_of(projects->cbegin(), projects->cend(), [&](const Project &p) {
                               return p.id == environment.projectId && p.name == names[0];
                           });
        if (!match)
            continue;
        for (qint64 id : environment.serverIds) {
            auto server = m_store.server(id);
            if (!server || !server->enabled)
                continue;
            auto *item = new QListWidgetItem(server->name, m_servers);
            item->setToolTip(QStringLiteral("%1@%2:%3").arg(server->username, server->host, QString::number(server->port)));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsDragEnabled);
            item->setCheckState(Qt::Checked);
        }
        const int index = int(environment.strategy == u"rolling"  ? ReleaseKind::Rolling
                              : environment.strategy == u"gray"   ? ReleaseKind::Gray
                              : environment.strategy == u"patch"  ? ReleaseKind::Patch
                                                                  : ReleaseKind::Full);
        m_kind->setCurrentIndex(qMax(0, m_kind->findData(index)));
    }
    loadRefs();
}

void ReleaseForm::loadRefs()
{
    const QStringList names = m_environment->currentData().toStringList();
    if (names.size() != 2)
        return;
    const QString path = mirrorPath();
    const QString tasksDir = m_workspace.tasksDirectory();
    m_selection->setText(tr("Reading the mirror…"));
    m_refsWatcher.setFuture(QtConcurrent::run([path, tasksDir, names]() {
        Refs refs;
        const QList<TaskRecord> last = TaskHistory::list(tasksDir, {names[0], names[1], {TaskStatus::Succeeded}, 1});
        if (!last.isEmpty())
            refs.liveCommit = last.first().plan.commit;
        if (!GitMirror(path).exists()) {
            refs.error = tr("No local mirror of %1 yet: press \"Fetch now\".").arg(names[0]);
            return refs;
        }
        auto git = GitRefs::open(path);
        if (!git) {
            refs.error = git.error().text();
            return refs;
        }
        if (auto branches = git->branches())
            refs.branches = *branches;
        if (auto tags = git->tags())
            refs.tags = *tags;
        return refs;
    }));
}

void ReleaseForm::refsRead()
{
    const Refs refs = m_refsWatcher.result();
    m_liveCommit = refs.liveCommit;
    if (!refs.error.isEmpty()) {
        m_selection->setText(refs.error);
        m_refsLoaded = true;
        emit refsChanged();
        return;
    }
    QSignalBlocker branchBlocker(m_branch);
    QSignalBlocker tagBlocker(m_tag);
    m_branch->clear();
    m_tag->clear();
    QString defaultBranch;
    if (auto projects = m_store.projects()) {
        const QString project = m_environment->currentData().toStringList().value(0);
        for (const Project &p : std::as_const(*projects))
            if (p.name == project)
                defaultBranch = p.defaultBranch;
    }
    for (const BranchInfo &branch : refs.branches)
        m_branch->addItem(branch.name, branch.name);
    for (const TagInfo &tag : refs.tags)
        m_tag->addItem(QStringLiteral("%1  (%2)").arg(tag.name, QLocale().toString(tag.date.toLocalTime(), QLocale::ShortFormat)),
                       tag.commitId);
    m_branch->setCurrentIndex(qMax(0, m_branch->findData(defaultBranch)));
    m_useTag->setEnabled(!refs.tags.isEmpty());
    branchBlocker.unblock();
    tagBlocker.unblock();
    loadCommits();
}

void ReleaseForm::loadCommits()
{
    const QString branch = m_branch->currentData().toString();
    if (branch.isEmpty())
        return;
    const QString path = mirrorPath();
    m_commitsWatcher.setFuture(QtConcurrent::run([path, branch]() {
        Commits result;
        result.branch = branch;
        auto git = GitRefs::open(path);
        if (!git) {
            result.error = git.error().text();
            return result;
        }
        auto commits = git->commits(branch, CommitLimit);
        if (!commits)
            result.error = commits.error().text();
        else
            result.commits = *commits;
        return result;
    }));
}

void ReleaseForm::commitsRead()
{
    const Commits result = m_commitsWatcher.result();
    if (result.branch != m_branch->currentData().toString())
        return;
    QSignalBlocker blocker(m_commits);
    m_commits->clear();
    for (const CommitInfo &commit : result.commits) {
        auto *item = new QTreeWidgetItem(m_commits, {commit.shortId, commit.subject, commit.author,
                                                     QLocale().toString(commit.date.toLocalTime(), QLocale::ShortFormat)});
        item->setData(0, Qt::UserRole, commit.id);
        item->setToolTip(1, commit.subject);
        if (commit.id == m_liveCommit)
            item->setText(1, tr("%1  [live]").arg(commit.subject));
    }
    m_commits->setCurrentItem(m_commits->topLevelItem(0));
    m_commits->resizeColumnToContents(0);
    m_commits->resizeColumnToContents(2);
    m_commits->resizeColumnToContents(3);
    blocker.unblock();
    if (!result.error.isEmpty())
        m_selection->setText(result.error);
    m_refsLoaded = true;
    loadChanges();
    emit refsChanged();
}

QString ReleaseForm::selectedCommit() const
{
    if (m_useTag->isChecked())
        return m_tag->currentData().toString();
    const QTreeWidgetItem *item = m_commits->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

QString ReleaseForm::selectedRef() const
{
    if (m_useTag->isChecked())
        return m_tag->currentText().section(QStringLiteral("  ("), 0, 0);
    return m_branch->currentData().toString();
}

void ReleaseForm::loadChanges()
{
    const QString target = selectedCommit();
    if (target.isEmpty()) {
        m_selection->setText(m_refsLoaded ? tr("Choose a commit or a tag.") : m_selection->text());
        return;
    }
    m_selection->setText(tr("Releasing %1 at %2").arg(selectedRef(), target.left(12)));
    m_changes->clear();
    if (m_liveCommit.isEmpty()) {
        m_changesSummary->setText(tr("No release of this environment is recorded here yet: everything goes out."));
        return;
    }
    if (m_liveCommit == target) {
        m_changesSummary->setText(tr("The servers run this commit already."));
        return;
    }
    m_changesSummary->setText(tr("Comparing with the live release…"));
    const QString path = mirrorPath();
    const QString base = m_liveCommit;
    m_changesWatcher.setFuture(QtConcurrent::run([path, base, target]() {
        Changes changes;
        changes.target = target;
        auto git = GitRefs::open(path);
        if (!git) {
            changes.error = git.error().text();
            return changes;
        }
        auto set = GitChanges::between(*git, base, target, 200);
        if (!set)
            changes.error = set.error().text();
        else
            changes.set = *set;
        return changes;
    }));
}

void ReleaseForm::kindChanged()
{
    const auto kind = ReleaseKind(m_kind->currentData().toInt());
    m_batchSize->setEnabled(kind == ReleaseKind::Rolling);
    m_failureBudget->setEnabled(kind == ReleaseKind::Rolling || kind == ReleaseKind::Gray);
    m_soak->setEnabled(kind == ReleaseKind::Gray);
    m_wholePackage->setEnabled(kind != ReleaseKind::Patch && kind != ReleaseKind::Rollback);
    m_canaryLane->setEnabled(kind == ReleaseKind::Gray);
    m_canaryHint->setText(kind == ReleaseKind::Gray
                              ? tr("Canaries get the release first; the task then waits for Promote (or the "
                                   "auto-promote time with healthy checks).")
                              : tr("The canary lane is used by gray releases only."));
}

void ReleaseForm::setKind(ReleaseKind kind)
{
    m_kind->setCurrentIndex(qMax(0, m_kind->findData(int(kind))));
}

QStringList ReleaseForm::canaries() const
{
    return m_canaryLane->names();
}

Result<ReleaseRequest> ReleaseForm::request() const
{
    const QStringList names = m_environment->currentData().toStringList();
    if (names.size() != 2)
        return fail(tr("Choose an environment."), tr("Add a project and an environment first."),
                    QStringLiteral("environment"));
    ReleaseRequest request;
    request.project = names[0];
    request.environment = names[1];
    request.description = m_description->text().trimmed();
    request.operatorName = ReleasePlanner::localOperator();
    request.kind = ReleaseKind(m_kind->currentData().toInt());
    const QString commit = selectedCommit();
    if (commit.isEmpty())
        return fail(tr("Choose what to release: a commit of a branch, or a tag."),
                    tr("Fetch the mirror if the list is empty."), QStringLiteral("commits"));
    request.ref = commit;
    request.refName = selectedRef();
    const bool gray = request.kind == ReleaseKind::Gray;
    if (gray)
        request.canaries = canaries();
    for (int i = 0; i < m_servers->count(); ++i)
        if (m_servers->item(i)->checkState() == Qt::Checked)
            request.servers.append(m_servers->item(i)->text());
    // Servers in the canary lane are released too; outside a gray release they are just servers.
    request.servers.append(m_canaryLane->names());
    if (request.servers.isEmpty())
        return fail(tr("No server is ticked."), tr("Tick the servers to release to."), QStringLiteral("serverLane"));
    if (request.kind == ReleaseKind::Rolling)
        request.batchSize = m_batchSize->value();
    if (request.kind == ReleaseKind::Rolling || gray)
        request.failureBudget = m_failureBudget->value();
    if (gray)
        request.soakSeconds = m_soak->value();
    request.forceWhole = m_wholePackage->isEnabled() && m_wholePackage->isChecked();
    request.buildHook = m_buildHook->script();
    request.beforeReleaseHook = m_beforeRelease->script();
    request.afterReleaseHook = m_afterRelease->script();
    request.healthCommand = m_healthCommand->text().trimmed();
    if (!m_healthUrl->text().trimmed().isEmpty()) {
        request.httpCheck.url = m_healthUrl->text().trimmed();
        request.httpCheck.expectedStatus = m_healthStatus->value();
    }
    if (m_scheduleEnabled->isChecked())
        request.scheduledAt = m_scheduleAt->dateTime().toUTC();
    return request;
}

void ReleaseForm::showError(const Error &error)
{
    m_banner->setText(error.text());
    m_banner->show();
    if (!error.field.isEmpty())
        if (auto *field = findChild<QWidget *>(error.field))
            field->setFocus();
}

void ReleaseForm::start()
{
    auto request = this->request();
    if (!request)
        return showError(request.error());
    m_banner->hide();
    emit startRequested(*request, m_fetchFirst->isChecked());
}

} // namespace rd
