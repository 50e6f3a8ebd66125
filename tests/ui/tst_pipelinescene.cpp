#include "journalplan.h"
#include "pipeline/pipelinelabelitem.h"
#include "pipeline/pipelinelanerowitem.h"
#include "pipeline/pipelinenodeitem.h"
#include "pipeline/pipelinescene.h"
#include "pipeline/pipelineview.h"
#include "release/releasetask.h"
#include "release/taskjournal.h"
#include "hostkeys/knownhosts.h"

#include <QAction>
#include <QApplication>
#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QtTest>

#include <algorithm>

using namespace rd;

// Drives the pipeline scene through the signals a real ReleaseTask emits, and a real task journal,
// and reads back what is drawn: node fill colours (also sampled from rendered pixels), durations,
// upload bars, clicks on a shown view, and the compact layout of a 200-server fleet.
class TestPipelineScene : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void colorsFollowStatesFromTaskSignals_data();
    void colorsFollowStatesFromTaskSignals();
    void localChainFollowsItsStates();
    void durationShownAfterRunningThenOutcome();
    void uploadProgressFillsTheUploadNode();
    void runningNodesPulseOnOneTimerThatStops();
    void clickOpensTheNodesLog();
    void dragPansWithoutActivating();
    void restoresFromAJournal();
    void canariesComeFirst();
    void compactGroupsTwoHundredServersByState();
    void laneIsSucceededOnlyWhenSwitched();
    void compactTwoHundredFitsAReadableWindow();
    void compactCellsPaintAndOpenTheirNodes();
    void regroupingIsCoalescedInAStorm();
    void viewZoomsAndKeepsFitUntilTheUserZooms();

private:
    static QStringList servers(int count);
    // The scene rendered at scale 1, and the colour at a scene point.
    static QColor pixelAt(PipelineScene &scene, QPointF scenePos);

    QTemporaryDir m_dir;
    std::unique_ptr<KnownHosts> m_knownHosts;
    std::unique_ptr<ReleaseTask> m_task;
    std::unique_ptr<PipelineScene> m_scene;
};

QStringList TestPipelineScene::servers(int count)
{
    QStringList names;
    for (int i = 1; i <= count; ++i)
        names << QStringLiteral("web-%1").arg(i, 3, 10, QLatin1Char('0'));
    return names;
}

QColor TestPipelineScene::pixelAt(PipelineScene &scene, QPointF scenePos)
{
    const QRectF rect = scene.sceneRect();
    QImage image(rect.size().toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    scene.render(&painter, QRectF(QPointF(0, 0), rect.size()), rect);
    painter.end();
    return image.pixelColor((scenePos - rect.topLeft()).toPoint());
}

void TestPipelineScene::init()
{
    QVERIFY(m_dir.isValid());
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    ReleasePlan plan;
    plan.project = QStringLiteral("shop");
    plan.environment = QStringLiteral("prod");
    plan.version = QStringLiteral("shop-v1-20261201100000");
    plan.servers = servers(3);
    plan = journalPlan(plan);
    auto task = ReleaseTask::create(m_dir.filePath(QStringLiteral("tasks")), plan, *m_knownHosts, {});
    QVERIFY2(task, qPrintable(task ? QString() : task.error().text()));
    m_task = std::move(*task);
    m_scene = std::make_unique<PipelineScene>();
    // Connected exactly as the main window connects a running task.
    connect(m_task.get(), &ReleaseTask::nodeChanged, m_scene.get(), &PipelineScene::setNodeState);
    connect(m_task.get(), &ReleaseTask::uploadProgress, m_scene.get(), &PipelineScene::setUploadProgress);
    m_scene->setServers(plan.servers);
}

void TestPipelineScene::cleanup()
{
    m_scene.reset();
    m_task.reset();
    m_knownHosts.reset();
}

void TestPipelineScene::colorsFollowStatesFromTaskSignals_data()
{
    QTest::addColumn<int>("stage");
    QTest::addColumn<int>("outcome");
    for (int stage = int(NodeStage::Upload); stage <= int(NodeStage::Health); ++stage) {
        for (NodeState outcome : {NodeState::Succeeded, NodeState::Failed, NodeState::Skipped, NodeState::Cancelled}) {
            const QByteArray name = nodeStageName(NodeStage(stage)).toUtf8() + ' ' + nodeStateName(outcome).toUtf8();
            QTest::newRow(name.constData()) << stage << int(outcome);
        }
    }
}

void TestPipelineScene::colorsFollowStatesFromTaskSignals()
{
    QFETCH(int, stage);
    QFETCH(int, outcome);
    const QString server = QStringLiteral("web-002");
    const NodeStage nodeStage = NodeStage(stage);
    PipelineNodeItem *node = m_scene->nodeItem(server, stage);
    QVERIFY(node);
    // Left of the title text, inside the border: the fill as painted.
    const QPointF probe = node->mapToScene(QPointF(4, node->boundingRect().height() / 2));

    auto hue = [](const QColor &color) { return color.toHsv().hsvHue(); };
    auto saturation = [](const QColor &color) { return color.toHsv().hsvSaturationF(); };

    const QColor pending = m_scene->nodeColor(server, nodeStage);
    QCOMPARE(m_scene->nodeState(server, nodeStage), NodeState::Pending);
    QVERIFY2(saturation(pending) < 0.15, qPrintable(pending.name()));
    QCOMPARE(pixelAt(*m_scene, probe), pending);

    emit m_task->nodeChanged(server, nodeStage, NodeState::Running, {});
    QCOMPARE(m_scene->nodeState(server, nodeStage), NodeState::Running);
    const QColor running = m_scene->nodeColor(server, nodeStage);
    QVERIFY2(hue(running) >= 200 && hue(running) <= 230 && saturation(running) > 0.5, qPrintable(running.name()));
    const QColor paintedRunning = pixelAt(*m_scene, probe);
    QVERIFY2(hue(paintedRunning) >= 200 && hue(paintedRunning) <= 230, qPrintable(paintedRunning.name()));
    QVERIFY(m_scene->isAnimating());

    const NodeState state = NodeState(outcome);
    emit m_task->nodeChanged(server, nodeStage, state, QStringLiteral("exit code 3"));
    QCOMPARE(m_scene->nodeState(server, nodeStage), state);
    const QColor color = m_scene->nodeColor(server, nodeStage);
    QCOMPARE(pixelAt(*m_scene, probe), color);
    QVERIFY(!m_scene->isAnimating());
    switch (state) {
    case NodeState::Succeeded:
        QVERIFY2(hue(color) >= 100 && hue(color) <= 160 && saturation(color) > 0.5, qPrintable(color.name()));
        break;
    case NodeState::Failed:
        QVERIFY2((hue(color) <= 10 || hue(color) >= 350) && saturation(color) > 0.5, qPrintable(color.name()));
        break;
    default:
        // Muted: grey, lighter than pending, so it reads as "did not run".
        QVERIFY2(saturation(color) < 0.15 && color.lightness() > pending.lightness(), qPrintable(color.name()));
        break;
    }
    QVERIFY(node->toolTip().contains(QStringLiteral("exit code 3")));
    QVERIFY(node->toolTip().contains(PipelineNodeItem::stateText(state)));
    // The other nodes of the lane and the other lanes did not change.
    for (int other = int(NodeStage::Upload); other <= int(NodeStage::Health); ++other) {
        if (other != stage)
            QCOMPARE(m_scene->nodeState(server, NodeStage(other)), NodeState::Pending);
        QCOMPARE(m_scene->nodeState(QStringLiteral("web-001"), NodeStage(other)), NodeState::Pending);
    }
}

void TestPipelineScene::localChainFollowsItsStates()
{
    for (int stage = PipelineScene::Start; stage <= PipelineScene::Package; ++stage) {
        QCOMPARE(m_scene->localStageState(stage), NodeState::Pending);
        m_scene->setLocalStageState(stage, NodeState::Running);
        QCOMPARE(m_scene->localStageState(stage), NodeState::Running);
        const NodeState outcome = stage == PipelineScene::Download ? NodeState::Skipped : NodeState::Succeeded;
        m_scene->setLocalStageState(stage, outcome, QStringLiteral("offline"));
        QCOMPARE(m_scene->localStageState(stage), outcome);
        QCOMPARE(m_scene->nodeItem(QString(), stage)->fillColor(), PipelineNodeItem::fillColor(outcome));
    }
    m_scene->setLocalStageState(PipelineScene::Package, NodeState::Failed, QStringLiteral("tar: no space left"));
    QCOMPARE(m_scene->localStageState(PipelineScene::Package), NodeState::Failed);
    QVERIFY(m_scene->nodeItem(QString(), PipelineScene::Package)->toolTip().contains(QStringLiteral("no space left")));
    QVERIFY(!m_scene->nodeItem(QString(), 0));
    QVERIFY(!m_scene->nodeItem(QString(), 6));
}

void TestPipelineScene::durationShownAfterRunningThenOutcome()
{
    const QString server = QStringLiteral("web-001");
    PipelineNodeItem *node = m_scene->nodeItem(server, int(NodeStage::Release));
    emit m_task->nodeChanged(server, NodeStage::Release, NodeState::Running, {});
    QCOMPARE(node->durationMs(), qint64(-1));
    QTest::qWait(150);
    emit m_task->nodeChanged(server, NodeStage::Release, NodeState::Succeeded, {});
    QVERIFY2(node->durationMs() >= 150, qPrintable(QString::number(node->durationMs())));
    const QString shown = PipelineNodeItem::durationText(node->durationMs());
    QVERIFY(shown.endsWith(QStringLiteral(" s")));
    QVERIFY2(node->toolTip().contains(shown), qPrintable(node->toolTip()));

    // An outcome that never ran has no duration; a node set back to pending loses its old one.
    emit m_task->nodeChanged(server, NodeStage::Health, NodeState::Skipped, {});
    QCOMPARE(m_scene->nodeItem(server, int(NodeStage::Health))->durationMs(), qint64(-1));
    emit m_task->nodeChanged(server, NodeStage::Release, NodeState::Pending, {});
    QCOMPARE(node->durationMs(), qint64(-1));

    QCOMPARE(PipelineNodeItem::durationText(1234), QLocale().toString(1.2, 'f', 1) + QStringLiteral(" s"));
    QCOMPARE(PipelineNodeItem::durationText(42000), QStringLiteral("42 s"));
    QCOMPARE(PipelineNodeItem::durationText(125000), QStringLiteral("2 min 5 s"));
}

void TestPipelineScene::uploadProgressFillsTheUploadNode()
{
    const QString server = QStringLiteral("web-003");
    PipelineNodeItem *node = m_scene->nodeItem(server, int(NodeStage::Upload));
    emit m_task->nodeChanged(server, NodeStage::Upload, NodeState::Running, {});
    emit m_task->uploadProgress(server, 25 << 20, 100 << 20);
    QCOMPARE(node->uploadedBytes(), qint64(25) << 20);
    QCOMPARE(node->uploadTotal(), qint64(100) << 20);
    QVERIFY2(node->toolTip().contains(QStringLiteral("(25%)")), qPrintable(node->toolTip()));
    // Only this server's upload node moved.
    QCOMPARE(m_scene->nodeItem(QStringLiteral("web-001"), int(NodeStage::Upload))->uploadTotal(), qint64(0));

    // The bar along the node's bottom: white up to a quarter, the translucent track after it.
    const QRectF box = node->boundingRect();
    auto bar = [&](qreal fraction) {
        const qreal left = 9.5;
        return pixelAt(*m_scene, node->mapToScene(QPointF(left + (box.width() - 2 * left) * fraction,
                                                          box.height() - 0.5 - 6)));
    };
    QCOMPARE(bar(0.1), QColor(Qt::white));
    QVERIFY(bar(0.6) != QColor(Qt::white));
    emit m_task->uploadProgress(server, 80 << 20, 100 << 20);
    QCOMPARE(bar(0.6), QColor(Qt::white));
    QVERIFY(bar(0.9) != QColor(Qt::white));
    QVERIFY(node->toolTip().contains(QStringLiteral("(80%)")));
}

void TestPipelineScene::runningNodesPulseOnOneTimerThatStops()
{
    const QString server = QStringLiteral("web-001");
    QVERIFY(!m_scene->isAnimating());
    for (const QString &name : servers(3))
        emit m_task->nodeChanged(name, NodeStage::Upload, NodeState::Running, {});
    QVERIFY(m_scene->isAnimating());
    PipelineNodeItem *node = m_scene->nodeItem(server, int(NodeStage::Upload));
    const QPointF probe = node->mapToScene(QPointF(4, node->boundingRect().height() / 2));
    QSet<QRgb> seen;
    for (int i = 0; i < 4; ++i) {
        seen.insert(pixelAt(*m_scene, probe).rgb());
        QTest::qWait(PipelineScene::PulseIntervalMs * 5);
    }
    QVERIFY2(seen.size() > 1, "a running node keeps its colour: no pulse");

    emit m_task->nodeChanged(server, NodeStage::Upload, NodeState::Succeeded, {});
    QVERIFY(m_scene->isAnimating()); // the others still run
    emit m_task->nodeChanged(QStringLiteral("web-002"), NodeStage::Upload, NodeState::Failed, {});
    emit m_task->nodeChanged(QStringLiteral("web-003"), NodeStage::Upload, NodeState::Cancelled, {});
    QVERIFY(!m_scene->isAnimating());
}

void TestPipelineScene::clickOpensTheNodesLog()
{
    PipelineView view(m_scene.get());
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy activated(m_scene.get(), &PipelineScene::nodeActivated);

    const QList<std::pair<QString, int>> targets = {{QStringLiteral("web-002"), int(NodeStage::Release)},
                                                    {QStringLiteral("web-003"), int(NodeStage::Health)},
                                                    {QStringLiteral("web-001"), int(NodeStage::Upload)},
                                                    {QString(), PipelineScene::Package},
                                                    {QString(), PipelineScene::Start}};
    for (const auto &[server, stage] : targets) {
        const PipelineNodeItem *node = m_scene->nodeItem(server, stage);
        const QPoint at = view.mapFromScene(node->sceneBoundingRect().center());
        QVERIFY(view.viewport()->rect().contains(at));
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(activated.size(), 1);
        const QList<QVariant> arguments = activated.takeFirst();
        QCOMPARE(arguments.at(0).toString(), server);
        QCOMPARE(int(arguments.at(1).value<NodeStage>()), stage);
    }
    // Between nodes nothing opens.
    const QRectF first = m_scene->nodeItem(QStringLiteral("web-001"), int(NodeStage::Upload))->sceneBoundingRect();
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(first.topRight() + QPointF(12, 20)));
    QCOMPARE(activated.size(), 0);
}

void TestPipelineScene::dragPansWithoutActivating()
{
    PipelineView view(m_scene.get());
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.zoomToActualSize();
    view.zoomIn();
    view.zoomIn(); // larger than the window, so there is something to pan
    QSignalSpy activated(m_scene.get(), &PipelineScene::nodeActivated);
    const PipelineNodeItem *node = m_scene->nodeItem(QStringLiteral("web-002"), int(NodeStage::Release));
    view.centerOn(node);
    const QPoint at = view.mapFromScene(node->sceneBoundingRect().center());
    const int scrolled = view.horizontalScrollBar()->value();
    QTest::mousePress(view.viewport(), Qt::LeftButton, {}, at);
    QTest::mouseMove(view.viewport(), at + QPoint(-30, 0));
    QTest::mouseMove(view.viewport(), at + QPoint(-60, 0));
    QTest::mouseRelease(view.viewport(), Qt::LeftButton, {}, at + QPoint(-60, 0));
    QCOMPARE(activated.size(), 0);
    QCOMPARE(view.horizontalScrollBar()->value(), scrolled + 60);
}

void TestPipelineScene::restoresFromAJournal()
{
    ReleasePlan plan;
    plan.project = QStringLiteral("shop");
    plan.environment = QStringLiteral("prod");
    plan.version = QStringLiteral("shop-v2-20261201110000");
    plan.kind = ReleaseKind::Gray;
    plan.servers = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    plan.canaries = {QStringLiteral("c")};
    plan = journalPlan(plan);
    auto journal = TaskJournal::create(m_dir.filePath(QStringLiteral("journal")), plan);
    QVERIFY(journal);
    QVERIFY(journal->recordStatus(TaskStatus::Running));
    QVERIFY(journal->recordNode(QStringLiteral("c"), NodeStage::Upload, NodeState::Running));
    QTest::qWait(60);
    QVERIFY(journal->recordNode(QStringLiteral("c"), NodeStage::Upload, NodeState::Succeeded));
    QVERIFY(journal->recordNode(QStringLiteral("c"), NodeStage::Prepare, NodeState::Running));
    QVERIFY(journal->recordNode(QStringLiteral("c"), NodeStage::Prepare, NodeState::Failed,
                                QStringLiteral("hook exited with 2")));
    QVERIFY(journal->recordNode(QStringLiteral("c"), NodeStage::Release, NodeState::Skipped));
    QVERIFY(journal->recordNode(QStringLiteral("a"), NodeStage::Upload, NodeState::Running));
    QVERIFY(journal->recordNode(QStringLiteral("a"), NodeStage::Upload, NodeState::Succeeded));
    QVERIFY(journal->recordNode(QStringLiteral("a"), NodeStage::Prepare, NodeState::Running));
    // The process went away with a's before-release hook running.
    QVERIFY(journal->recordStatus(TaskStatus::Failed, QStringLiteral("1 of 3 failed")));
    auto record = TaskJournal::read(m_dir.filePath(QStringLiteral("journal")), plan.taskId);
    QVERIFY(record);

    m_scene->setLocalStageState(PipelineScene::Start, NodeState::Failed);
    m_scene->restore(*record);
    QCOMPARE(m_scene->laneOrder(), QStringList({QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY(m_scene->isCanary(QStringLiteral("c")));
    for (int stage = PipelineScene::Start; stage <= PipelineScene::Package; ++stage)
        QCOMPARE(m_scene->localStageState(stage), NodeState::Succeeded);

    QCOMPARE(m_scene->nodeState(QStringLiteral("c"), NodeStage::Upload), NodeState::Succeeded);
    const PipelineNodeItem *upload = m_scene->nodeItem(QStringLiteral("c"), int(NodeStage::Upload));
    QCOMPARE(upload->durationMs(), record->nodes.value(QStringLiteral("c")).durationMs.value(int(NodeStage::Upload)));
    QVERIFY(upload->durationMs() >= 60);
    QVERIFY(upload->toolTip().contains(PipelineNodeItem::durationText(upload->durationMs())));
    const PipelineNodeItem *hook = m_scene->nodeItem(QStringLiteral("c"), int(NodeStage::Prepare));
    QCOMPARE(hook->state(), NodeState::Failed);
    QCOMPARE(hook->fillColor(), PipelineNodeItem::fillColor(NodeState::Failed));
    QCOMPARE(hook->detail(), QStringLiteral("hook exited with 2"));
    QCOMPARE(m_scene->nodeState(QStringLiteral("c"), NodeStage::Release), NodeState::Skipped);
    QCOMPARE(m_scene->nodeState(QStringLiteral("c"), NodeStage::Health), NodeState::Pending);

    // Running in the journal of a task nobody runs: shown as stopped, not animated forever.
    QCOMPARE(m_scene->nodeState(QStringLiteral("a"), NodeStage::Upload), NodeState::Succeeded);
    QCOMPARE(m_scene->nodeState(QStringLiteral("a"), NodeStage::Prepare), NodeState::Cancelled);
    QVERIFY(!m_scene->nodeItem(QStringLiteral("a"), int(NodeStage::Prepare))->detail().isEmpty());
    QVERIFY(!m_scene->isAnimating());
    for (int stage = int(NodeStage::Upload); stage <= int(NodeStage::Health); ++stage)
        QCOMPARE(m_scene->nodeState(QStringLiteral("b"), NodeStage(stage)), NodeState::Pending);

    // Live updates continue on the restored graph.
    emit m_task->nodeChanged(QStringLiteral("b"), NodeStage::Upload, NodeState::Running, {});
    QCOMPARE(m_scene->nodeState(QStringLiteral("b"), NodeStage::Upload), NodeState::Running);
}

void TestPipelineScene::canariesComeFirst()
{
    const QStringList names = servers(6);
    m_scene->setServers(names, {names[4], names[1]});
    QCOMPARE(m_scene->laneOrder(), QStringList({names[1], names[4], names[0], names[2], names[3], names[5]}));
    QVERIFY(m_scene->isCanary(names[4]));
    QVERIFY(!m_scene->isCanary(names[0]));
    QCOMPARE(m_scene->laneCount(), 6);
    QVERIFY(!m_scene->isCompact());
    // Drawn in that order, top to bottom, each lane level with its nodes.
    qreal previous = -1e9;
    for (const QString &server : m_scene->laneOrder()) {
        const qreal y = m_scene->nodeItem(server, int(NodeStage::Upload))->scenePos().y();
        QVERIFY(y > previous);
        QCOMPARE(m_scene->nodeItem(server, int(NodeStage::Health))->scenePos().y(), y);
        QVERIFY(qAbs(m_scene->laneLabel(server)->sceneBoundingRect().center().y() -
                     m_scene->nodeItem(server, int(NodeStage::Upload))->sceneBoundingRect().center().y()) < 1);
        previous = y;
    }

    // In compact mode canaries lead their group too.
    m_scene->setCompact(true);
    const auto groups = m_scene->groups();
    QCOMPARE(groups.size(), 1);
    QCOMPARE(groups[0].first, NodeState::Pending);
    QCOMPARE(groups[0].second, m_scene->laneOrder());
}

void TestPipelineScene::laneIsSucceededOnlyWhenSwitched()
{
    m_scene->setServers({QStringLiteral("web-01"), QStringLiteral("web-02")});
    for (const QString &server : {QStringLiteral("web-01"), QStringLiteral("web-02")}) {
        m_scene->setNodeState(server, NodeStage::Upload, NodeState::Succeeded, {});
        m_scene->setNodeState(server, NodeStage::Prepare, NodeState::Succeeded, {});
    }
    // Released, with no hook and no health check: succeeded.
    m_scene->setNodeState(QStringLiteral("web-01"), NodeStage::Release, NodeState::Succeeded, {});
    m_scene->setNodeState(QStringLiteral("web-01"), NodeStage::AfterRelease, NodeState::Skipped, {});
    m_scene->setNodeState(QStringLiteral("web-01"), NodeStage::Health, NodeState::Skipped, {});
    QCOMPARE(m_scene->laneGroup(QStringLiteral("web-01")), NodeState::Succeeded);
    // Prepared but never switched (the failure budget was spent elsewhere): not a succeeded lane.
    for (NodeStage stage : {NodeStage::Release, NodeStage::AfterRelease, NodeStage::Health})
        m_scene->setNodeState(QStringLiteral("web-02"), stage, NodeState::Skipped, {});
    QCOMPARE(m_scene->laneGroup(QStringLiteral("web-02")), NodeState::Cancelled);
}

void TestPipelineScene::compactGroupsTwoHundredServersByState()
{
    const QStringList names = servers(200);
    QSignalSpy compactChanged(m_scene.get(), &PipelineScene::compactChanged);
    m_scene->setServers(names);
    QVERIFY(m_scene->isCompact());
    QCOMPARE(compactChanged.size(), 1);
    QCOMPARE(m_scene->laneCount(), 200);

    // Spread so that no group is a contiguous run of the inventory order.
    QHash<QString, NodeState> expected;
    for (int i = 0; i < names.size(); ++i) {
        const QString &server = names[i];
        NodeState group = NodeState::Pending;
        if (i % 20 == 7) {
            m_scene->setNodeState(server, NodeStage::Upload, NodeState::Succeeded, {});
            m_scene->setNodeState(server, NodeStage::Prepare, NodeState::Failed, QStringLiteral("exit 1"));
            m_scene->setNodeState(server, NodeStage::Release, NodeState::Skipped, {});
            group = NodeState::Failed;
        } else if (i % 5 == 1) {
            m_scene->setNodeState(server, NodeStage::Upload, NodeState::Running, {});
            group = NodeState::Running;
        } else if (i % 3 == 0) {
            for (int stage = int(NodeStage::Upload); stage <= int(NodeStage::Health); ++stage)
                m_scene->setNodeState(server, NodeStage(stage), NodeState::Succeeded, {});
            group = NodeState::Succeeded;
        } else if (i % 17 == 2) {
            m_scene->setNodeState(server, NodeStage::Upload, NodeState::Cancelled, QStringLiteral("aborted"));
            group = NodeState::Cancelled;
        }
        expected.insert(server, group);
    }
    m_scene->layoutNow();

    const auto groups = m_scene->groups();
    QList<NodeState> order;
    int total = 0;
    for (const auto &[group, lanes] : groups) {
        order << group;
        total += int(lanes.size());
        QStringList wanted;
        for (const QString &server : names) {
            if (expected.value(server) == group)
                wanted << server;
        }
        QCOMPARE(lanes, wanted); // inventory order inside a group
        // The header says how many, and sits above its lanes.
        const PipelineLabelItem *header = m_scene->groupHeader(group);
        QVERIFY(header->isVisible());
        QVERIFY2(header->text().contains(QString::number(lanes.size())), qPrintable(header->text()));
        for (const QString &server : lanes)
            QVERIFY(m_scene->laneLabel(server)->scenePos().y() >= header->sceneBoundingRect().bottom());
    }
    QCOMPARE(order, QList<NodeState>({NodeState::Failed, NodeState::Running, NodeState::Pending, NodeState::Succeeded,
                                      NodeState::Cancelled}));
    QCOMPARE(total, 200);
    // Groups do not interleave: every lane of a group lies above every lane of the next.
    for (qsizetype g = 1; g < groups.size(); ++g) {
        qreal bottom = 0;
        for (const QString &server : groups[g - 1].second)
            bottom = qMax(bottom, m_scene->laneLabel(server)->sceneBoundingRect().bottom());
        QVERIFY(m_scene->groupHeader(groups[g].first)->sceneBoundingRect().top() >= bottom);
    }

    // One row item per lane (its nodes hidden behind it), the chain's five chips and five headers;
    // none of them overlap.
    QList<QRectF> rects;
    for (QGraphicsItem *item : m_scene->items()) {
        if (item->isVisible() && (item->type() == PipelineNodeItem::Type || item->type() == PipelineLabelItem::Type ||
                                  item->type() == PipelineLaneRowItem::Type))
            rects << item->sceneBoundingRect();
    }
    QCOMPARE(rects.size(), 200 + 5 + 5);
    std::sort(rects.begin(), rects.end(), [](const QRectF &a, const QRectF &b) { return a.top() < b.top(); });
    for (qsizetype i = 0; i < rects.size(); ++i) {
        for (qsizetype j = i + 1; j < rects.size() && rects[j].top() < rects[i].bottom(); ++j)
            QVERIFY2(!rects[i].intersects(rects[j]), "items overlap");
    }

    // Leaving compact mode lays every lane out in order again, with no group headers.
    m_scene->setCompact(false);
    QVERIFY(m_scene->groups().isEmpty());
    QVERIFY(!m_scene->groupHeader(NodeState::Failed)->isVisible());
    QCOMPARE(m_scene->nodeItem(names[0], int(NodeStage::Upload))->display(), PipelineNodeItem::Display::Full);
    QVERIFY(m_scene->nodeItem(names[1], int(NodeStage::Upload))->scenePos().y() >
            m_scene->nodeItem(names[0], int(NodeStage::Upload))->scenePos().y());
}

void TestPipelineScene::compactTwoHundredFitsAReadableWindow()
{
    PipelineView view(m_scene.get());
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QStringList names = servers(200);
    m_scene->setServers(names, {names[0], names[1]});
    for (int i = 0; i < names.size(); i += 9)
        m_scene->setNodeState(names[i], NodeStage::Upload, NodeState::Failed, {});
    m_scene->layoutNow(); // the view asked for its aspect when shown
    QVERIFY(view.isFitting());

    // The whole graph is inside the window.
    const QRect shown = view.mapFromScene(m_scene->sceneRect()).boundingRect();
    QVERIFY2(view.viewport()->rect().adjusted(-1, -1, 1, 1).contains(shown),
             qPrintable(QStringLiteral("%1x%2").arg(QString::number(shown.width()), QString::number(shown.height()))));

    // And still readable: a lane's row, its cells and its name have a usable size on screen.
    const PipelineLabelItem *label = m_scene->laneLabel(names[100]);
    const PipelineNodeItem *cell = m_scene->nodeItem(names[100], int(NodeStage::Release));
    const qreal zoom = view.zoom();
    const qreal rowPixels = label->boundingRect().height() * zoom;
    const qreal cellPixels = qMin(cell->boundingRect().width(), cell->boundingRect().height()) * zoom;
    QFont font = m_scene->font();
    font.setPointSizeF(font.pointSizeF() * 0.9); // the compact lane label's font
    const qreal textPixels = QFontMetricsF(font).capHeight() * zoom;
    QVERIFY2(rowPixels >= 12, qPrintable(QString::number(rowPixels)));
    QVERIFY2(cellPixels >= 9, qPrintable(QString::number(cellPixels)));
    QVERIFY2(textPixels >= 5, qPrintable(QString::number(textPixels)));
    // The server name fits its label at this size, not elided to nothing.
    QVERIFY(QFontMetricsF(font).horizontalAdvance(names[100]) < label->boundingRect().width());
}

void TestPipelineScene::compactCellsPaintAndOpenTheirNodes()
{
    PipelineView view(m_scene.get());
    view.resize(1280, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QStringList names = servers(120);
    m_scene->setServers(names);
    QVERIFY(m_scene->isCompact());
    m_scene->setNodeState(names[30], NodeStage::Upload, NodeState::Succeeded, {});
    m_scene->setNodeState(names[30], NodeStage::Prepare, NodeState::Failed, QStringLiteral("hook exited with 4"));
    m_scene->setNodeState(names[77], NodeStage::Upload, NodeState::Running, {});
    m_scene->setUploadProgress(names[77], 50, 100);
    m_scene->layoutNow();

    // The cells show their node's state where the node is (the node itself is hidden behind the row).
    auto cellColor = [&](const QString &server, NodeStage stage, qreal fraction) {
        const QRectF cell = m_scene->nodeItem(server, int(stage))->sceneBoundingRect();
        return pixelAt(*m_scene, QPointF(cell.left() + 1 + (cell.width() - 2) * fraction, cell.center().y()));
    };
    QCOMPARE(cellColor(names[30], NodeStage::Upload, 0.5), PipelineNodeItem::fillColor(NodeState::Succeeded));
    QCOMPARE(cellColor(names[30], NodeStage::Prepare, 0.5), PipelineNodeItem::fillColor(NodeState::Failed));
    QCOMPARE(cellColor(names[30], NodeStage::Release, 0.5), PipelineNodeItem::fillColor(NodeState::Pending));
    // Half uploaded: running colour on the left, pending on the right.
    QVERIFY(cellColor(names[77], NodeStage::Upload, 0.2).toHsv().hsvHue() >= 200);
    QCOMPARE(cellColor(names[77], NodeStage::Upload, 0.8), PipelineNodeItem::fillColor(NodeState::Pending));
    m_scene->setNodeState(names[30], NodeStage::Release, NodeState::Skipped, {});
    m_scene->setNodeState(names[30], NodeStage::Prepare, NodeState::Succeeded, {});
    m_scene->layoutNow();
    QCOMPARE(cellColor(names[30], NodeStage::Prepare, 0.5), PipelineNodeItem::fillColor(NodeState::Succeeded));
    QCOMPARE(cellColor(names[30], NodeStage::Release, 0.5), PipelineNodeItem::fillColor(NodeState::Skipped));

    // A click on a cell opens that server's stage.
    QSignalSpy activated(m_scene.get(), &PipelineScene::nodeActivated);
    for (const auto &[server, stage] : {std::pair(names[30], NodeStage::Prepare),
                                        std::pair(names[77], NodeStage::Upload),
                                        std::pair(names[119], NodeStage::Health)}) {
        const QRectF cell = m_scene->nodeItem(server, int(stage))->sceneBoundingRect();
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(cell.center()));
        QCOMPARE(activated.size(), 1);
        const QList<QVariant> arguments = activated.takeFirst();
        QCOMPARE(arguments.at(0).toString(), server);
        QCOMPARE(arguments.at(1).value<NodeStage>(), stage);
    }
    // On the server's name, nothing opens.
    const QRectF name = m_scene->laneLabel(names[5])->sceneBoundingRect();
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(name.center()));
    QCOMPARE(activated.size(), 0);
}

void TestPipelineScene::regroupingIsCoalescedInAStorm()
{
    const QStringList names = servers(200);
    m_scene->setServers(names);
    QVERIFY(m_scene->isCompact());
    const QRectF extent = m_scene->sceneRect();
    const int before = m_scene->layoutCount();
    int changes = 0;
    for (int stage = int(NodeStage::Upload); stage <= int(NodeStage::Health); ++stage) {
        for (const QString &server : names) {
            m_scene->setNodeState(server, NodeStage(stage), NodeState::Running, {});
            m_scene->setNodeState(server, NodeStage(stage),
                                  server == names[13] ? NodeState::Failed : NodeState::Succeeded, {});
            changes += 2;
        }
    }
    QCOMPARE(changes, 2000);
    QCOMPARE(m_scene->layoutCount(), before); // nothing laid out yet
    QVERIFY(m_scene->isLayoutPending());
    QTRY_VERIFY(!m_scene->isLayoutPending());
    QCOMPARE(m_scene->layoutCount(), before + 1);
    const auto groups = m_scene->groups();
    QCOMPARE(groups.size(), 2);
    QCOMPARE(groups[0].first, NodeState::Failed);
    QCOMPARE(groups[0].second, QStringList{names[13]});
    QCOMPARE(groups[1].first, NodeState::Succeeded);
    QCOMPARE(groups[1].second.size(), 199);
    // Lanes changed groups, the graph kept its size: a fitted view does not zoom with every regrouping.
    QCOMPARE(m_scene->sceneRect(), extent);

    // A change that keeps every lane in its group lays nothing out.
    m_scene->setNodeState(names[13], NodeStage::Health, NodeState::Skipped, {});
    QVERIFY(!m_scene->isLayoutPending());
}

void TestPipelineScene::viewZoomsAndKeepsFitUntilTheUserZooms()
{
    PipelineView view(m_scene.get());
    view.resize(1000, 700);
    view.show();
    view.activateWindow();
    view.setFocus();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    QVERIFY(view.isFitting());
    const qreal fitted = view.zoom();
    QVERIFY(fitted > 0 && fitted <= PipelineView::MaxFitZoom);
    QVERIFY(view.viewport()->rect().contains(view.mapFromScene(m_scene->sceneRect()).boundingRect()));

    // A smaller window fits again, smaller.
    view.resize(600, 400);
    QTRY_VERIFY(view.zoom() < fitted);
    QVERIFY(view.viewport()->rect().contains(view.mapFromScene(m_scene->sceneRect()).boundingRect()));

    // The user zooms: the zoom stays through a resize.
    const qreal small = view.zoom();
    QTest::keyClick(&view, Qt::Key_Equal, Qt::ControlModifier);
    QVERIFY(!view.isFitting());
    QCOMPARE(view.zoom(), small * PipelineView::ZoomStep);
    QTest::keyClick(&view, Qt::Key_Minus, Qt::ControlModifier);
    QCOMPARE(view.zoom(), small);
    QTest::keyClick(&view, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(view.zoom(), 1.0);
    view.resize(900, 600);
    QTest::qWait(20);
    QCOMPARE(view.zoom(), 1.0);

    // Ctrl+wheel zooms, a plain wheel does not.
    QWheelEvent plain(QPointF(100, 100), view.mapToGlobal(QPointF(100, 100)), {}, QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view.viewport(), &plain);
    QCOMPARE(view.zoom(), 1.0);
    QWheelEvent withControl(QPointF(100, 100), view.mapToGlobal(QPointF(100, 100)), {}, QPoint(0, 120),
                            Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view.viewport(), &withControl);
    QCOMPARE(view.zoom(), PipelineView::ZoomStep);

    // Fit (Ctrl+0) follows the window again.
    QTest::keyClick(&view, Qt::Key_0, Qt::ControlModifier);
    QVERIFY(view.isFitting());
    view.resize(1000, 700);
    QTRY_COMPARE(view.zoom(), fitted);

    // The compact toggle and the scene agree both ways.
    view.compactAction()->trigger();
    QVERIFY(m_scene->isCompact());
    m_scene->setCompact(false);
    QVERIFY(!view.compactAction()->isChecked());
}

QTEST_MAIN(TestPipelineScene)
#include "tst_pipelinescene.moc"
