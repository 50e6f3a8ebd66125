#include "environmentspane.h"
#include "inventorypanes/environmenttablemodel.h"
#include "inventory/inventorystore.h"
#include "inventory/validator.h"
#include "inventorypanes/serverlistmodel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace rd {

namespace {

QTableView *createServerView(QAbstractItemModel *model, const QString &objectName)
{
    auto *view = new QTableView;
    view->setObjectName(objectName);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setDragEnabled(true);
    view->setAcceptDrops(true);
    view->setDropIndicatorShown(true);
    view->setDragDropMode(QAbstractItemView::DragDrop);
    view->setDefaultDropAction(Qt::MoveAction);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

QLabel *boldLabel(const QString &text)
{
    auto *label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

EnvironmentsPane::EnvironmentsPane(InventoryStore &store, QWidget *parent)
    : InventoryPane(store, tr("Environments"),
                    tr("Where a project is deployed and in which order. Drag servers from \"All servers\" into the "
                       "environment, drag them within it to reorder, or drag them back out to remove them."),
                    parent),
      m_environments(new EnvironmentTableModel(this)),
      m_pool(new ServerListModel(ServerListModel::Kind::Pool, this)),
      m_members(new ServerListModel(ServerListModel::Kind::Ordered, this)),
      m_poolProxy(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("environmentsPane"));
    m_project = new QComboBox;
    m_project->setObjectName(QStringLiteral("projectComboBox"));
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("prod"));
    m_deployRoot = new QLineEdit;
    m_deployRoot->setObjectName(QStringLiteral("deployRootEdit"));
    m_deployRoot->setPlaceholderText(tr("/srv/shop"));
    m_sharedPaths = new QPlainTextEdit;
    m_sharedPaths->setObjectName(QStringLiteral("sharedPathsEdit"));
    m_sharedPaths->setPlaceholderText(tr("One path per line, e.g.\nstorage/logs\n.env"));
    m_sharedPaths->setFixedHeight(m_sharedPaths->fontMetrics().height() * 3 + 12);
    m_parallelism = new QSpinBox;
    m_parallelism->setObjectName(QStringLiteral("parallelismSpinBox"));
    // The validator's range: out-of-range values cannot be typed at all.
    m_parallelism->setRange(1, 500);
    m_parallelism->setMaximumWidth(100);
    m_strategy = new QComboBox;
    m_strategy->setObjectName(QStringLiteral("strategyComboBox"));
    m_strategy->addItem(tr("Full: all servers, switched together"), QStringLiteral("full"));
    m_strategy->addItem(tr("Rolling: in batches"), QStringLiteral("rolling"));
    m_strategy->addItem(tr("Gray: canary servers first"), QStringLiteral("gray"));
    m_strategy->addItem(tr("Patch: only changed files"), QStringLiteral("patch"));

    QFormLayout *form = createForm();
    addField(form, tr("Project"), m_project, QStringLiteral("project"));
    addField(form, tr("Name"), m_name, QStringLiteral("name"));
    addField(form, tr("Deploy root"), m_deployRoot, QStringLiteral("deployRoot"));
    addField(form, tr("Shared paths"), m_sharedPaths, QStringLiteral("sharedPaths"));
    addField(form, tr("Parallelism"), m_parallelism, QStringLiteral("parallelism"));
    addField(form, tr("Strategy"), m_strategy, QStringLiteral("strategy"));

    QWidget *list = createItemList(m_environments, tr("Filter by project or environment"));
    m_table->setObjectName(QStringLiteral("environmentListView"));
    m_table->setAcceptDrops(true);
    m_table->setDragDropMode(QAbstractItemView::DropOnly);
    // A drop anywhere on a row means "onto this environment", never between two environments.
    m_table->setDragDropOverwriteMode(true);
    m_table->setDropIndicatorShown(true);
    // The server count fits its column and stays in view; the environment's name takes the room.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);

    auto *top = new QSplitter(Qt::Horizontal);
    top->addWidget(list);
    top->addWidget(createEditor(form));
    top->setStretchFactor(0, 2);
    top->setStretchFactor(1, 3);
    top->setChildrenCollapsible(false);

    auto *vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(top);
    vertical->addWidget(createServerLists());
    vertical->setStretchFactor(0, 1);
    vertical->setStretchFactor(1, 1);
    vertical->setChildrenCollapsible(false);
    contentLayout()->addWidget(vertical, 1);

    for (QLineEdit *edit : {m_name, m_deployRoot})
        connect(edit, &QLineEdit::textChanged, this, &EnvironmentsPane::markEdited);
    connect(m_sharedPaths, &QPlainTextEdit::textChanged, this, &EnvironmentsPane::markEdited);
    connect(m_parallelism, &QSpinBox::valueChanged, this, &EnvironmentsPane::markEdited);
    connect(m_project, &QComboBox::currentIndexChanged, this, &EnvironmentsPane::markEdited);
    connect(m_strategy, &QComboBox::currentIndexChanged, this, &EnvironmentsPane::markEdited);

    connect(m_environments, &EnvironmentTableModel::serversDropped, this, &EnvironmentsPane::appendServers);
    connect(m_members, &ServerListModel::serversDropped, this, &EnvironmentsPane::insertServers);
    connect(m_pool, &ServerListModel::serversDropped, this,
            [this](const QList<qint64> &ids, int) { removeServers(ids); });
}

QWidget *EnvironmentsPane::createServerLists()
{
    m_poolProxy->setSourceModel(m_pool);
    m_poolProxy->setFilterKeyColumn(-1);
    m_poolProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_poolFilter = new QLineEdit;
    m_poolFilter->setObjectName(QStringLiteral("serverPoolFilterEdit"));
    m_poolFilter->setPlaceholderText(tr("Filter servers by name or host"));
    m_poolFilter->setClearButtonEnabled(true);
    connect(m_poolFilter, &QLineEdit::textChanged, m_poolProxy, &QSortFilterProxyModel::setFilterFixedString);

    m_poolView = createServerView(m_poolProxy, QStringLiteral("serverPoolView"));
    m_memberView = createServerView(m_members, QStringLiteral("environmentServersView"));
    m_memberView->horizontalHeader()->resizeSection(0, 44);
    m_memberView->installEventFilter(this);

    m_addServersButton = new QPushButton(tr("Add →"));
    m_addServersButton->setObjectName(QStringLiteral("addServersButton"));
    m_addServersButton->setToolTip(tr("Add the selected servers to the end of the environment"));
    m_removeServersButton = new QPushButton(tr("← Remove"));
    m_removeServersButton->setObjectName(QStringLiteral("removeServersButton"));
    m_removeServersButton->setToolTip(tr("Take the selected servers out of the environment (Delete)"));
    connect(m_addServersButton, &QPushButton::clicked, this,
            [this] { insertServers(selectedIn(m_poolView, m_poolProxy, m_pool), -1); });
    connect(m_removeServersButton, &QPushButton::clicked, this,
            [this] { removeServers(selectedIn(m_memberView, nullptr, m_members)); });
    connect(m_poolView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &EnvironmentsPane::updateServerButtons);
    connect(m_memberView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &EnvironmentsPane::updateServerButtons);

    auto *poolBox = new QWidget;
    auto *poolLayout = new QVBoxLayout(poolBox);
    poolLayout->setContentsMargins(0, 0, 0, 0);
    poolLayout->addWidget(boldLabel(tr("All servers")));
    poolLayout->addWidget(m_poolFilter);
    poolLayout->addWidget(m_poolView, 1);

    auto *buttons = new QVBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_addServersButton);
    buttons->addWidget(m_removeServersButton);
    buttons->addStretch(1);

    m_membersTitle = boldLabel(tr("Servers in this environment"));
    auto *hint = new QLabel(tr("Release order, top first. Drop here to add, drag to reorder."));
    hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    hint->setWordWrap(true);
    auto *memberBox = new QWidget;
    auto *memberLayout = new QVBoxLayout(memberBox);
    memberLayout->setContentsMargins(0, 0, 0, 0);
    memberLayout->addWidget(m_membersTitle);
    memberLayout->addWidget(hint);
    memberLayout->addWidget(m_memberView, 1);

    auto *box = new QWidget;
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 8, 0, 0);
    layout->addWidget(poolBox, 1);
    layout->addLayout(buttons);
    layout->addWidget(memberBox, 1);
    return box;
}

void EnvironmentsPane::reload()
{
    const qint64 projectOfForm = m_project->currentData().toLongLong();
    QHash<qint64, QString> projectNames;
    m_project->blockSignals(true);
    m_project->clear();
    if (auto projects = m_store.projects()) {
        for (const Project &project : *projects) {
            projectNames.insert(project.id, project.name);
            m_project->addItem(project.name, project.id);
        }
    } else {
        showStoreError(projects.error());
    }
    m_project->setCurrentIndex(qMax(0, m_project->findData(projectOfForm)));
    m_project->blockSignals(false);

    auto servers = m_store.servers();
    auto environments = m_store.environments();
    if (!servers || !environments) {
        showStoreError(!servers ? servers.error() : environments.error());
        return;
    }
    m_serverById.clear();
    for (const Server &server : *servers)
        m_serverById.insert(server.id, server);
    m_pool->setServers(*servers);
    m_environments->setEnvironments(*environments, projectNames);
    setItemCountText(tr("%n environment(s)", nullptr, itemCount()));
    afterReload();
}

int EnvironmentsPane::itemCount() const
{
    return m_environments->rowCount();
}

Environment EnvironmentsPane::formEnvironment() const
{
    Environment environment;
    environment.id = m_currentId;
    environment.projectId = m_project->currentData().toLongLong();
    environment.name = m_name->text().trimmed();
    environment.deployRoot = m_deployRoot->text().trimmed();
    for (const QString &line : m_sharedPaths->toPlainText().split(u'\n', Qt::SkipEmptyParts)) {
        if (!line.trimmed().isEmpty())
            environment.sharedPaths.append(line.trimmed());
    }
    environment.parallelism = m_parallelism->value();
    environment.strategy = m_strategy->currentData().toString();
    environment.serverIds = m_memberIds;
    return environment;
}

QList<Error> EnvironmentsPane::validateForm() const
{
    return Validator::check(formEnvironment());
}

void EnvironmentsPane::loadForm(qint64 id)
{
    Environment environment;
    if (id) {
        auto stored = m_store.environment(id);
        if (!stored) {
            showStoreError(stored.error());
            return;
        }
        environment = *stored;
    } else if (m_project->count() > 0) {
        environment.projectId = m_project->currentData().toLongLong();
    }
    m_project->setCurrentIndex(qMax(0, m_project->findData(environment.projectId)));
    m_name->setText(environment.name);
    m_deployRoot->setText(environment.deployRoot);
    m_sharedPaths->setPlainText(environment.sharedPaths.join(u'\n'));
    m_parallelism->setValue(environment.parallelism);
    m_strategy->setCurrentIndex(qMax(0, m_strategy->findData(environment.strategy)));
    showMembers(id, environment.name, environment.serverIds);
}

void EnvironmentsPane::refreshKeptForm(qint64 id)
{
    if (id == 0) {
        // Servers deleted meanwhile leave the new environment's list.
        QList<qint64> kept = m_memberIds;
        kept.removeIf([this](qint64 serverId) { return !m_serverById.contains(serverId); });
        showMembers(0, QString(), kept);
        return;
    }
    auto stored = m_store.environment(id);
    if (!stored) {
        showStoreError(stored.error());
        return;
    }
    showMembers(id, stored->name, stored->serverIds);
}

void EnvironmentsPane::showMembers(qint64 id, const QString &environmentName, const QList<qint64> &serverIds)
{
    m_memberIds = serverIds;
    QList<Server> members;
    for (qint64 serverId : m_memberIds)
        members.append(m_serverById.value(serverId));
    m_members->setServers(members);
    m_membersTitle->setText(id ? tr("Servers in %1 (%2)").arg(environmentName).arg(members.size())
                               : tr("Servers in the new environment (%1), saved with it").arg(members.size()));
    updateServerButtons();
}

QString EnvironmentsPane::itemName(qint64 id) const
{
    const int row = m_environments->rowOf(id);
    if (row < 0)
        return QString();
    return m_environments->index(row, 0).data().toString() + u'/' + m_environments->index(row, 1).data().toString();
}

Result<qint64> EnvironmentsPane::saveForm(qint64 id)
{
    const Environment environment = formEnvironment();
    if (id == 0)
        return m_store.addEnvironment(environment);
    if (auto updated = m_store.updateEnvironment(environment); !updated)
        return std::unexpected(updated.error());
    return id;
}

Result<> EnvironmentsPane::removeItem(qint64 id)
{
    return m_store.removeEnvironment(id);
}

void EnvironmentsPane::insertServers(const QList<qint64> &serverIds, int position)
{
    if (serverIds.isEmpty())
        return;
    QList<qint64> ids = m_memberIds;
    if (position < 0 || position > ids.size())
        position = int(ids.size());
    // Servers moved from above the drop position shift it up by one each.
    for (int i = 0; i < position; ++i) {
        if (serverIds.contains(ids[i]))
            --position;
    }
    ids.removeIf([&](qint64 id) { return serverIds.contains(id); });
    for (qsizetype i = 0; i < serverIds.size(); ++i)
        ids.insert(position + i, serverIds[i]);
    changeMembers(ids);
}

void EnvironmentsPane::removeServers(const QList<qint64> &serverIds)
{
    if (serverIds.isEmpty())
        return;
    QList<qint64> ids = m_memberIds;
    if (ids.removeIf([&](qint64 id) { return serverIds.contains(id); }) == 0)
        return;
    changeMembers(ids);
}

void EnvironmentsPane::changeMembers(const QList<qint64> &serverIds)
{
    // A saved environment's servers are saved at once; a new one keeps them with its other fields
    // until it is saved.
    if (m_currentId != 0) {
        saveServers(m_currentId, serverIds);
        return;
    }
    showMembers(0, QString(), serverIds);
    markEdited();
}

void EnvironmentsPane::appendServers(qint64 environmentId, const QList<qint64> &serverIds)
{
    auto environment = m_store.environment(environmentId);
    if (!environment) {
        showStoreError(environment.error());
        return;
    }
    QList<qint64> ids = environment->serverIds;
    for (qint64 id : serverIds) {
        if (!ids.contains(id))
            ids.append(id);
    }
    if (ids != environment->serverIds)
        saveServers(environmentId, ids);
}

void EnvironmentsPane::saveServers(qint64 environmentId, const QList<qint64> &serverIds)
{
    if (auto saved = m_store.setEnvironmentServers(environmentId, serverIds); !saved) {
        showStoreError(saved.error());
        return;
    }
    reload();
    emit inventoryChanged();
}

QList<qint64> EnvironmentsPane::selectedIn(QTableView *view, QSortFilterProxyModel *proxy,
                                           ServerListModel *model) const
{
    QList<int> rows;
    for (const QModelIndex &index : view->selectionModel()->selectedRows())
        rows.append(proxy ? proxy->mapToSource(index).row() : index.row());
    std::sort(rows.begin(), rows.end());
    QList<qint64> ids;
    for (int row : rows)
        ids.append(model->idAt(row));
    return ids;
}

void EnvironmentsPane::updateServerButtons()
{
    m_addServersButton->setEnabled(m_poolView->selectionModel()->hasSelection());
    m_removeServersButton->setEnabled(m_memberView->selectionModel()->hasSelection());
}

bool EnvironmentsPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_memberView && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Delete || key == Qt::Key_Backspace) {
            removeServers(selectedIn(m_memberView, nullptr, m_members));
            return true;
        }
    }
    return InventoryPane::eventFilter(watched, event);
}

} // namespace rd
