console.log('demo: pending');
